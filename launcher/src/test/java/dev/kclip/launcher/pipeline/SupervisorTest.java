package dev.kclip.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The supervisor's decisions on fake stages, its waits recorded instead of slept. */
class SupervisorTest {

    private static final Supervisor.Policy POLICY = new Supervisor.Policy(false, 3, Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofMillis(100));

    /** Stages of which some are DOWN until restarted {@code healAfter} times (never when negative). */
    private static class FakeStages implements Supervisor.Stages {
        final Set<String> down = new HashSet<>();
        final List<String> restarts = new ArrayList<>();
        final int healAfter;

        FakeStages(int healAfter, String... down) {
            this.healAfter = healAfter;
            this.down.addAll(List.of(down));
        }

        @Override
        public Optional<Supervisor.Failure> failure() {
            return down.stream().sorted().findFirst().map(s -> new Supervisor.Failure(s, "streams ERROR"));
        }

        @Override
        public void restart(String stage) {
            restarts.add(stage);
            if (healAfter >= 0 && restarts.stream().filter(stage::equals).count() >= healAfter) {
                down.remove(stage);
            }
        }
    }

    /** Answers "keep going" {@code polls} times for the health polls, then "stop"; records every wait. */
    private static final class CountingWaiter implements Supervisor.Waiter {
        final List<Duration> waits = new ArrayList<>();
        int polls;

        CountingWaiter(int polls) {
            this.polls = polls;
        }

        @Override
        public boolean awaitStop(Duration timeout) {
            waits.add(timeout);
            return timeout.equals(POLICY.poll()) && polls-- <= 0;
        }
    }

    @Test
    void byDefaultTheFirstDownStageEndsTheRunWithItsReason() {
        FakeStages stages = new FakeStages(-1, "ingest");
        Supervisor.Outcome outcome = new Supervisor(stages, POLICY, line -> { }).run(new CountingWaiter(10));

        assertTrue(outcome.failed());
        assertEquals("ingest: streams ERROR", outcome.failure().get().toString());
        assertEquals(List.of(), stages.restarts);
    }

    @Test
    void withRestartsAFailedStageIsRestartedAfterADoublingBackoffUntilItHeals() {
        FakeStages stages = new FakeStages(2, "teacher");
        CountingWaiter waiter = new CountingWaiter(5);
        List<String> log = new ArrayList<>();
        Supervisor.Outcome outcome = new Supervisor(stages, POLICY.withRestarts(true, 3), log::add).run(waiter);

        assertFalse(outcome.failed(), () -> outcome.failure().toString());
        assertEquals(List.of("teacher", "teacher"), stages.restarts);
        assertEquals(Map.of("teacher", 2), outcome.restarts());
        List<Duration> backoffs = waiter.waits.stream().filter(w -> !w.equals(POLICY.poll())).toList();
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), backoffs);
        assertEquals("teacher: streams ERROR; restarting it in 1000 ms (restart 1 of 3)", log.get(0));
    }

    @Test
    void aStageThatFailsAfterEveryRestartEndsTheRunAfterMaxRestartsWithTheBackoffCapped() {
        FakeStages stages = new FakeStages(-1, "concepts");
        CountingWaiter waiter = new CountingWaiter(100);
        Supervisor.Outcome outcome = new Supervisor(stages, POLICY.withRestarts(true, 4), line -> { }).run(waiter);

        assertTrue(outcome.failed());
        assertEquals("concepts: streams ERROR (after 4 restarts)", outcome.failure().get().toString());
        assertEquals(4, stages.restarts.size());
        List<Duration> backoffs = waiter.waits.stream().filter(w -> !w.equals(POLICY.poll())).toList();
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(5)), backoffs);
    }

    @Test
    void aRestartThatFailsEndsTheRunWithBothReasons() {
        FakeStages stages = new FakeStages(-1, "ingest") {
            @Override
            public void restart(String stage) {
                throw new IllegalStateException("state folder locked");
            }
        };
        Supervisor.Outcome outcome = new Supervisor(stages, POLICY.withRestarts(true, 3), line -> { })
                .run(new CountingWaiter(10));

        assertTrue(outcome.failed());
        assertEquals("ingest: streams ERROR; restarting it failed: java.lang.IllegalStateException: state folder locked",
                outcome.failure().get().toString());
        assertEquals(Map.of("ingest", 1), outcome.restarts());
    }

    @Test
    void aStopDuringTheBackoffEndsTheRunWithoutFailureOrRestart() {
        FakeStages stages = new FakeStages(-1, "trainer");
        Supervisor.Outcome outcome = new Supervisor(stages, POLICY.withRestarts(true, 3), line -> { })
                .run(timeout -> !timeout.equals(POLICY.poll()));

        assertFalse(outcome.failed());
        assertEquals(List.of(), stages.restarts);
    }
}
