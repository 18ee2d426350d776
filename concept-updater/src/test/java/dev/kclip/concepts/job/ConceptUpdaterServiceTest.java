package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.metrics.ServiceEndpoints.Health;
import java.util.EnumSet;
import java.util.Set;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Test;

/**
 * The stage's health follows the job's status: a job that is starting or restarting from its last checkpoint is
 * not a failed stage ({@code kclip up} would otherwise stop the whole pipeline on a restart Flink recovers from).
 */
class ConceptUpdaterServiceTest {

    @Test
    void startingRunningAndRestartingJobsAreUpEndedOnesDown() {
        Set<JobStatus> up = EnumSet.of(JobStatus.INITIALIZING, JobStatus.CREATED, JobStatus.RUNNING,
                JobStatus.RESTARTING, JobStatus.RECONCILING);
        for (JobStatus status : JobStatus.values()) {
            Health health = ConceptUpdaterService.health("j1", status, false);
            assertEquals(up.contains(status), health.up(), status.name());
            assertEquals("Flink job j1 " + status, health.detail());
        }
    }

    @Test
    void aFinishedJobIsUpOnlyWhenItsInputWasBounded() {
        assertTrue(ConceptUpdaterService.health("j1", JobStatus.FINISHED, true).up());
        assertFalse(ConceptUpdaterService.health("j1", JobStatus.FINISHED, false).up());
        assertFalse(ConceptUpdaterService.health("j1", JobStatus.FAILED, true).up());
    }
}
