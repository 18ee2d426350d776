package dev.kclip.launcher.pipeline;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Watches the stages of {@code kclip up} and acts when one is DOWN (failed, or failing again and again; see
 * {@code FailureWindow}): by default it ends the run with the reason, so the command exits non-zero and whatever
 * runs it (a shell, systemd, a container runtime) sees the failure; with {@link Policy#restart()} it restarts the
 * failed stage after an exponential back-off (initial, doubled per restart of that stage, capped), and ends the run
 * once a stage has failed after {@link Policy#maxRestarts()} restarts, or a restart itself fails.
 */
public final class Supervisor {

    /** What the supervisor watches and restarts: {@link Pipeline}, or a fake in tests. */
    public interface Stages {
        /** The first stage that is DOWN, with why. */
        Optional<Failure> failure();

        /** Stops the named stage and starts it again. */
        void restart(String stage);
    }

    /** Waits between health checks and back-offs, returning early (true) when the run is asked to stop. */
    @FunctionalInterface
    public interface Waiter {
        boolean awaitStop(Duration timeout);
    }

    /** A stage that is DOWN, and why. */
    public record Failure(String stage, String reason) {
        @Override
        public String toString() {
            return stage + ": " + reason;
        }
    }

    /**
     * How failed stages are handled.
     *
     * @param restart restart a DOWN stage (true) or end the run (false)
     * @param maxRestarts restarts per stage before the run ends
     * @param initialBackoff wait before a stage's first restart
     * @param maxBackoff longest wait before a restart
     * @param poll how often the stages' health is read
     */
    public record Policy(boolean restart, int maxRestarts, Duration initialBackoff, Duration maxBackoff, Duration poll) {

        /** Default number of restarts per stage with {@code --restart-failed-stages}. */
        public static final int DEFAULT_MAX_RESTARTS = 5;
        /** End the run on the first DOWN stage. */
        public static final Policy EXIT = new Policy(false, DEFAULT_MAX_RESTARTS, Duration.ofSeconds(1),
                Duration.ofMinutes(2), Duration.ofSeconds(2));

        public Policy {
            if (maxRestarts < 0) {
                throw new IllegalArgumentException("max restarts must not be negative, not " + maxRestarts);
            }
        }

        public Policy withRestarts(boolean value, int max) {
            return new Policy(value, max, initialBackoff, maxBackoff, poll);
        }

        /** The wait before a stage's {@code restart}-th restart (0 for the first). */
        Duration backoff(int restart) {
            Duration wait = initialBackoff;
            for (int i = 0; i < restart && wait.compareTo(maxBackoff) < 0; i++) {
                wait = wait.multipliedBy(2);
            }
            return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
        }
    }

    /** How a supervised run ended: asked to stop (no failure) or with a stage that failed for good. */
    public record Outcome(Optional<Failure> failure, Map<String, Integer> restarts) {
        public boolean failed() {
            return failure.isPresent();
        }
    }

    private final Stages stages;
    private final Policy policy;
    private final Consumer<String> log;

    public Supervisor(Stages stages, Policy policy, Consumer<String> log) {
        this.stages = stages;
        this.policy = policy;
        this.log = log;
    }

    /** Watches until the waiter says stop or a stage fails for good. */
    public Outcome run(Waiter waiter) {
        Map<String, Integer> restarts = new HashMap<>();
        while (!waiter.awaitStop(policy.poll())) {
            Optional<Failure> failure = stages.failure();
            if (failure.isEmpty()) {
                continue;
            }
            Failure f = failure.get();
            int done = restarts.getOrDefault(f.stage(), 0);
            if (!policy.restart() || done >= policy.maxRestarts()) {
                String after = policy.restart() ? " (after " + done + " restarts)" : "";
                return new Outcome(Optional.of(new Failure(f.stage(), f.reason() + after)), Map.copyOf(restarts));
            }
            Duration wait = policy.backoff(done);
            log.accept(f + "; restarting it in " + wait.toMillis() + " ms (restart " + (done + 1) + " of "
                    + policy.maxRestarts() + ")");
            if (waiter.awaitStop(wait)) {
                break;
            }
            restarts.put(f.stage(), done + 1);
            try {
                stages.restart(f.stage());
            } catch (RuntimeException e) {
                return new Outcome(Optional.of(new Failure(f.stage(), f.reason() + "; restarting it failed: " + e)),
                        Map.copyOf(restarts));
            }
        }
        return new Outcome(Optional.empty(), Map.copyOf(restarts));
    }
}
