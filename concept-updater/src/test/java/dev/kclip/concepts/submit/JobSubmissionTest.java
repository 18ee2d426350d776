package dev.kclip.concepts.submit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.cli.UserException;
import dev.kclip.concepts.job.ConceptJob;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.junit.jupiter.api.Test;

/** A second concept job is refused while one has not ended; ended ones and other jobs do not count. */
class JobSubmissionTest {

    @Test
    void refusesASecondRunningConceptJobOnly() {
        JobID running = new JobID();
        UserException e = assertThrows(UserException.class, () -> JobSubmission.refuseWhileRunning(List.of(
                job(ConceptJob.NAME, JobStatus.RESTARTING, running)), "flink", 8081));
        assertTrue(e.getMessage().contains(running.toString()) && e.getMessage().contains("RESTARTING"), e.getMessage());
        JobSubmission.refuseWhileRunning(List.of(job(ConceptJob.NAME, JobStatus.CANCELED, new JobID()),
                job(ConceptJob.NAME, JobStatus.FAILED, new JobID()), job("other", JobStatus.RUNNING, new JobID())),
                "flink", 8081);
    }

    private static JobStatusMessage job(String name, JobStatus status, JobID id) {
        return new JobStatusMessage(id, name, status, 0);
    }
}
