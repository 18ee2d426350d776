package dev.kclip.concepts.submit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.cli.UserException;
import dev.kclip.concepts.job.ConceptJob;
import dev.kclip.concepts.job.ConceptJobConfig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void aJobManagerThatIsNotThereIsSaidWithinSeconds(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();   // closed again: nothing listens there
        }
        Path jar = Files.writeString(dir.resolve("job.jar"), "not opened before the cluster answers");
        long start = System.nanoTime();
        int dead = port;
        UserException e = assertThrows(UserException.class, () -> JobSubmission.submit("localhost", dead, jar,
                List.of(), ConceptJobConfig.defaults().withCheckpointing(Duration.ofSeconds(1),
                        dir.resolve("checkpoints").toUri().toString(), dir.resolve("savepoints").toUri().toString()),
                false));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(e.getMessage().startsWith("cannot submit the concept job to localhost:" + port), e.getMessage());
        assertTrue(seconds < 30, "said after " + seconds + " s");
    }

    private static JobStatusMessage job(String name, JobStatus status, JobID id) {
        return new JobStatusMessage(id, name, status, 0);
    }
}
