package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.metrics.Health;
import dev.kclip.common.service.FailureWindow;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/**
 * The stage's health follows the job's status: a job that is starting or restarting from its last checkpoint is
 * not a failed stage ({@code kclip up} would otherwise stop the whole pipeline on a restart Flink recovers from),
 * but one that keeps restarting is.
 */
class JobHealthTest {

    @Test
    void startingRunningAndRestartingJobsAreUpEndedOnesDown() {
        Set<JobStatus> up = EnumSet.of(JobStatus.INITIALIZING, JobStatus.CREATED, JobStatus.RUNNING,
                JobStatus.RESTARTING, JobStatus.RECONCILING);
        for (JobStatus status : JobStatus.values()) {
            Health health = JobHealth.health("j1", status, false);
            assertEquals(up.contains(status), !health.down(), status.name());
            assertEquals("Flink job j1 " + status, health.detail());
        }
    }

    @Test
    void aFinishedJobIsUpOnlyWhenItsInputWasBounded() {
        assertFalse(JobHealth.health("j1", JobStatus.FINISHED, true).down());
        assertTrue(JobHealth.health("j1", JobStatus.FINISHED, false).down());
        assertTrue(JobHealth.health("j1", JobStatus.FAILED, true).down());
    }

    /** A job that fails after every restart looks RUNNING or RESTARTING for ever; its restarts make it DOWN. */
    @Test
    void aJobInARestartLoopTurnsDownAfterThePolicysRestarts() throws Exception {
        Configuration conf = JobRestarts.reportTo(new Configuration());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        env.fromSequence(0, 10).map(x -> {
            if (x == 3) {
                throw new IllegalStateException("poison at 3");
            }
            return x;
        }).returns(Types.LONG).sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("restart loop");
        try {
            JobHealth health = new JobHealth(job, false, new FailureWindow.Policy(3, Duration.ofMinutes(5)));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Health seen = health.health();
            while (seen.status() != Health.Status.DOWN && System.nanoTime() < deadline) {
                Thread.sleep(50);
                seen = health.health();
            }
            assertEquals(Health.Status.DOWN, seen.status(), seen.detail());
            assertTrue(seen.detail().startsWith("Flink job " + job.getJobID()), seen.detail());
            assertTrue(seen.detail().contains("job restarts in the last 5 min (DOWN from 3), last: restart #"),
                    seen.detail());
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
            JobRestarts.forget(job.getJobID().toString());
        }
    }
}
