package dev.kclip.concepts.job;

import dev.kclip.common.metrics.Health;
import dev.kclip.common.service.FailureWindow;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/**
 * The health of a Flink job on an in-process MiniCluster: from its status (UP while it starts, runs or restarts,
 * DOWN once it has ended unless a bounded job finished) and from its restarts ({@link JobRestarts}), counted in a
 * {@link FailureWindow}: Flink restarts a failing job for ever, so a job that fails again after every restart is
 * DEGRADED after the first restart and DOWN after the policy's count, however RUNNING it looks in between.
 */
final class JobHealth {

    private final JobClient job;
    private final boolean bounded;
    private final FailureWindow restarts;
    private long restartsSeen;

    JobHealth(JobClient job, boolean bounded, FailureWindow.Policy failures) {
        this.job = job;
        this.bounded = bounded;
        this.restarts = new FailureWindow("job restarts", failures);
    }

    /** The job's health now (asks the MiniCluster for its status, up to 5 s). */
    Health health() {
        String id = job.getJobID().toString();
        Optional<JobStatus> status = status();
        Health base;
        if (status.isEmpty()) {
            base = terminated()
                    ? Health.down("Flink job " + id + " ended" + failure().map(f -> ": " + f).orElse(""))
                    : Health.up("Flink job " + id + " (status not answered within 5 s)");
        } else {
            base = health(id, status.get(), bounded);
        }
        return withRestarts(id, base);
    }

    private synchronized Health withRestarts(String id, Health base) {
        OptionalLong total = JobRestarts.of(id);
        if (total.isPresent() && total.getAsLong() > restartsSeen) {
            restarts.failed(total.getAsLong() - restartsSeen, "restart #" + total.getAsLong()
                    + " (the cause is in the log and in the job's exception history)");
            restartsSeen = total.getAsLong();
        }
        return restarts.apply(base);
    }

    /** The health a job in {@code status} has, restarts aside. */
    static Health health(String jobId, JobStatus status, boolean bounded) {
        String detail = "Flink job " + jobId + " " + status;
        boolean up = switch (status) {
            case INITIALIZING, CREATED, RUNNING, RESTARTING, RECONCILING -> true;
            case FINISHED -> bounded;
            default -> false;
        };
        return up ? Health.up(detail) : Health.down(detail);
    }

    /** Whether the job has ended (finished, failed for good, stopped or cancelled). */
    boolean terminated() {
        return job.getJobExecutionResult().isDone();
    }

    /** Why the job failed for good (its restarts exhausted), if it did. */
    Optional<Throwable> failure() {
        CompletableFuture<?> result = job.getJobExecutionResult();
        if (!result.isCompletedExceptionally()) {
            return Optional.empty();
        }
        try {
            result.join();
            return Optional.empty();
        } catch (CompletionException | CancellationException e) {
            return Optional.of(e.getCause() == null ? e : e.getCause());
        }
    }

    /** The job's status, or empty when the MiniCluster does not answer within 5 s (it is gone once the job ended). */
    Optional<JobStatus> status() {
        try {
            return Optional.of(job.getJobStatus().get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }
}
