package dev.kclip.common.metrics;

import java.util.Objects;

/**
 * The state of one part of a service, for {@code /health} and for {@code kclip up}'s supervisor: UP (working),
 * DEGRADED (working, but something failed recently and was recovered from: a replaced stream thread, a restarted
 * Flink job, an aborted batch) or DOWN (failed, or failing again and again), with the reason in {@code detail}.
 *
 * @param status what the part's state is
 * @param detail what it is doing, or why it is not well
 */
public record Health(Status status, String detail) {

    /** The three states, from best to worst. */
    public enum Status {
        /** Working. */
        UP,
        /** Working, after a recent failure it recovered from; the reason is in the detail. */
        DEGRADED,
        /** Failed, or failed too often in a short time to be trusted to recover by itself. */
        DOWN
    }

    public Health {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    public static Health up(String detail) {
        return new Health(Status.UP, detail);
    }

    public static Health degraded(String detail) {
        return new Health(Status.DEGRADED, detail);
    }

    public static Health down(String detail) {
        return new Health(Status.DOWN, detail);
    }

    /** Whether the part is failed (DOWN); UP and DEGRADED parts are working. */
    public boolean down() {
        return status == Status.DOWN;
    }

    /** The worse of the two states, with this detail. */
    public Health atLeast(Status floor) {
        return floor.compareTo(status) > 0 ? new Health(floor, detail) : this;
    }
}
