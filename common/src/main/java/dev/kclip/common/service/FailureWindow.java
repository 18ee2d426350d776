package dev.kclip.common.service;

import dev.kclip.common.metrics.Health;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * Counts a stage's recoverable failures (a replaced Kafka Streams thread, a Flink job restart, an aborted teacher
 * batch) in a sliding time window and turns its health DEGRADED after the first and DOWN once {@link
 * Policy#downAfter()} of them fall within {@link Policy#window()}: a failure that recovers once is news, one that
 * keeps coming back is a failed stage, however busy the retrying looks. Failures older than the window are forgotten;
 * {@link #succeeded()} forgets them all at once, for failures that count only "in a row". Thread-safe.
 */
public final class FailureWindow {

    /**
     * When repeated failures make a stage DOWN.
     *
     * @param downAfter failures within {@code window} that make the stage DOWN (at least 1)
     * @param window how long a failure counts
     */
    public record Policy(int downAfter, Duration window) {

        /** 3 failures in 5 minutes. */
        public static final Policy DEFAULT = new Policy(3, Duration.ofMinutes(5));

        public Policy {
            if (downAfter < 1) {
                throw new IllegalArgumentException("failures before DOWN must be at least 1, not " + downAfter);
            }
            if (window == null || window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("the failure window must be positive, not " + window);
            }
        }
    }

    private final String what;
    private final Policy policy;
    private final Clock clock;
    private final Deque<Instant> failures = new ArrayDeque<>();
    private String lastReason;

    /**
     * @param what the failures' name in the health detail, plural: "stream thread replacements"
     */
    public FailureWindow(String what, Policy policy, Clock clock) {
        this.what = Objects.requireNonNull(what, "what");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public FailureWindow(String what, Policy policy) {
        this(what, policy, Clock.systemUTC());
    }

    /** Records one failure now. */
    public void failed(String reason) {
        failed(1, reason);
    }

    /** Records {@code count} failures now (a restart counter that moved by more than one since it was read). */
    public synchronized void failed(long count, String reason) {
        Instant now = clock.instant();
        for (long i = 0; i < count; i++) {
            failures.addLast(now);
        }
        if (count > 0) {
            lastReason = reason;
        }
    }

    /** Forgets every failure: for failures that make a stage DOWN only when they come in a row. */
    public synchronized void succeeded() {
        failures.clear();
    }

    /** The failures within the window now. */
    public synchronized int recent() {
        Instant oldest = clock.instant().minus(policy.window());
        while (!failures.isEmpty() && failures.peekFirst().isBefore(oldest)) {
            failures.removeFirst();
        }
        return failures.size();
    }

    /**
     * The stage's health given its own view of itself: unchanged without recent failures, else at least DEGRADED
     * (DOWN from {@code downAfter} failures on), the count and the last failure's reason added to the detail.
     */
    public synchronized Health apply(Health base) {
        int recent = recent();
        if (recent == 0) {
            return base;
        }
        String detail = base.detail() + "; " + recent + " " + what + " in the last " + describe(policy.window())
                + (recent >= policy.downAfter() ? " (DOWN from " + policy.downAfter() + ")" : "")
                + ", last: " + lastReason;
        return new Health(base.status(), detail).atLeast(
                recent >= policy.downAfter() ? Health.Status.DOWN : Health.Status.DEGRADED);
    }

    private static String describe(Duration window) {
        long seconds = window.toSeconds();
        return seconds % 60 == 0 ? seconds / 60 + " min" : seconds + " s";
    }
}
