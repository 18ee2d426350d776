package dev.kclip.concepts.submit;

import dev.kclip.common.cli.UserException;
import dev.kclip.concepts.job.ConceptJob;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.concepts.job.RecoveryPoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.ProgramInvocationException;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;

/**
 * What {@code flink run} does, for the concept job: builds the JobGraph from the job jar with Flink's client (the
 * jar's main runs here, in a class loader of its own, and the jar travels to the cluster with the graph) and submits
 * it to a session cluster's REST endpoint. The job restores what {@link RecoveryPoints#toRestore} finds (an explicit
 * path, else the newest readable savepoint or retained checkpoint under the job's directories, past a damaged
 * {@code _metadata}), with {@code allowNonRestoredState=false}: state the job cannot map is an error, not dropped.
 */
public final class JobSubmission {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /**
     * The submitted job.
     *
     * @param jobId its id on the cluster
     * @param restoredFrom the savepoint or checkpoint it restores, if any
     */
    public record Submitted(JobID jobId, Optional<String> restoredFrom) {
    }

    private JobSubmission() {
    }

    /**
     * Submits the job jar's main with {@code arguments} to the session cluster whose REST endpoint is
     * {@code host:port}.
     *
     * @param config the configuration the same arguments give (its directories decide the restore, its parallelism
     *     is the job's default)
     * @param force submit even when a job named {@link ConceptJob#NAME} is not finished on the cluster (two jobs
     *     then consume the same input: only with other topics, group and transactional id prefix)
     * @throws UserException when such a job runs and {@code force} is off, or the jar is missing
     */
    public static Submitted submit(String host, int port, Path jobJar, List<String> arguments,
            ConceptJobConfig config, boolean force) throws Exception {
        if (!Files.isRegularFile(jobJar)) {
            throw new UserException("no job jar at " + jobJar + " (build it: mvn -B -DskipTests -pl launcher -am"
                    + " package, or pass --jar)");
        }
        Optional<String> restore = RecoveryPoints.toRestore(config);
        Configuration flink = ConceptJob.flinkConfiguration(config, restore.orElse(null));
        flink.set(RestOptions.ADDRESS, host);
        flink.set(RestOptions.PORT, port);
        flink.set(JobManagerOptions.ADDRESS, host);
        // a JobManager that is not there is said within seconds, not after Flink's 20 tries 3 s apart
        flink.set(RestOptions.RETRY_MAX_ATTEMPTS, 2);
        flink.set(RestOptions.RETRY_DELAY, Duration.ofSeconds(1));
        try (RestClusterClient<StandaloneClusterId> client =
                new RestClusterClient<>(flink, StandaloneClusterId.getInstance())) {
            if (!force) {
                refuseWhileRunning(client.listJobs().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), host, port);
            }
            JobGraph graph = jobGraph(jobJar, arguments, flink, config.parallelism(), restore);
            JobID id = client.submitJob(graph).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new Submitted(id, restore);
        } catch (ExecutionException | TimeoutException e) {
            throw new UserException("cannot submit the concept job to " + host + ":" + port + ": "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        }
    }

    private static JobGraph jobGraph(Path jobJar, List<String> arguments, Configuration flink, int parallelism,
            Optional<String> restore) throws ProgramInvocationException {
        // This process already has the Kafka connector (org.apache.flink.*: always loaded from here, never from the
        // jar) and so the Kafka client and Avro; the jar's copies of those must not meet the connector's.
        Configuration client = new Configuration(flink);
        client.set(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL,
                List.of("org.apache.kafka.", "org.apache.avro.", "com.fasterxml.jackson."));
        PackagedProgram program = PackagedProgram.newBuilder()
                .setJarFile(jobJar.toFile())
                .setArguments(arguments.toArray(String[]::new))
                .setConfiguration(client)
                .setSavepointRestoreSettings(restore.map(p -> SavepointRestoreSettings.forPath(p, false))
                        .orElse(SavepointRestoreSettings.none()))
                .build();
        try {
            return PackagedProgramUtils.createJobGraph(program, flink, parallelism, false);
        } catch (ProgramInvocationException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new UserException("the job jar " + jobJar + " did not build its job: " + root, e);
        } finally {
            program.close();
        }
    }

    /** Refuses a second consumer of the same input: a job of this name that has not ended. */
    static void refuseWhileRunning(Collection<JobStatusMessage> jobs, String host, int port) {
        for (JobStatusMessage job : jobs) {
            if (ConceptJob.NAME.equals(job.getJobName()) && !job.getJobState().isGloballyTerminalState()) {
                throw new UserException("a job named '" + ConceptJob.NAME + "' is " + job.getJobState() + " on "
                        + host + ":" + port + " (" + job.getJobId() + "); a second would consume the same input."
                        + " Stop it first (flink stop " + job.getJobId() + ", which takes a savepoint the next submit"
                        + " restores), or pass --force for a job on other topics");
            }
        }
    }
}
