package dev.kclip.concepts.job;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.metrics.Health;
import dev.kclip.common.service.FailureWindow;
import dev.kclip.common.service.StageService;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The concept updater running in this process: the Flink job on an embedded MiniCluster, in the background.
 *
 * <p>On start it restores the newest savepoint or retained checkpoint under the configured directories (unless
 * {@code resume} is off or a path is given), so a restarted process continues with the same concepts, versions
 * and input positions; a newest one that cannot be read is passed over for an older one, and all but the newest
 * {@code retainedCheckpoints} checkpoints and savepoints are deleted ({@link RecoveryPoints}). {@link #close()}
 * stops the job with a savepoint: the sinks commit their last Kafka transactions as part of it, so nothing is lost or written twice, and the next start resumes from it. If the
 * savepoint fails the job is cancelled instead; the outputs since the last checkpoint are then aborted, and a
 * resume from the retained checkpoint produces them again, once.
 */
public final class ConceptUpdaterService implements StageService {

    private static final Logger LOG = LoggerFactory.getLogger(ConceptUpdaterService.class);
    private static final long STOP_TIMEOUT_SECONDS = 120;

    private final JobClient job;
    private final ConceptJobConfig config;
    private final String restoredFrom;
    private final JobHealth health;
    private volatile boolean closed;
    /** The gauge of this run, removed on close so a restarted stage registers its own. */
    private Gauge running;
    private MeterRegistry registry;

    private ConceptUpdaterService(JobClient job, ConceptJobConfig config, String restoredFrom,
            FailureWindow.Policy failures) {
        this.job = job;
        this.health = new JobHealth(job, config.bounded(), failures);
        this.config = config;
        this.restoredFrom = restoredFrom;
    }

    /**
     * Creates the catalog topics the job uses (if missing), then starts the job.
     *
     * @param registry receives {@code kclip.concepts.job.running} (1 while the job runs)
     */
    public static ConceptUpdaterService start(ConceptJobConfig config, KafkaConnection connection,
            MeterRegistry registry) {
        return start(config, connection, registry, FailureWindow.Policy.DEFAULT);
    }

    /**
     * As {@link #start(ConceptJobConfig, KafkaConnection, MeterRegistry)}, DOWN after {@code failures} job restarts
     * in their window.
     */
    public static ConceptUpdaterService start(ConceptJobConfig config, KafkaConnection connection,
            MeterRegistry registry, FailureWindow.Policy failures) {
        ensureTopics(config, connection);
        String restore = RecoveryPoints.toRestore(config).orElse(null);
        RecoveryPoints.prune(config.checkpointDir(), config.savepointDir(), config.retainedCheckpoints(), restore);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(),
                JobRestarts.reportTo(ConceptJob.flinkConfiguration(config, restore)));
        ConceptJob.buildKafkaJob(env, connection, config);
        JobClient job;
        try {
            job = env.executeAsync(ConceptJob.NAME);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the concept-updater job: " + e.getMessage(), e);
        }
        ConceptUpdaterService service = new ConceptUpdaterService(job, config, restore, failures);
        service.running = Gauge.builder("kclip.concepts.job.running", service,
                        s -> s.health.status().orElse(null) == JobStatus.RUNNING ? 1 : 0)
                .description("1 while the concept-updater Flink job runs").register(registry);
        service.registry = registry;
        LOG.info("concept updater started (job {}){}", job.getJobID(),
                restore == null ? "" : ", restored from " + restore);
        return service;
    }

    @Override
    public String name() {
        return "concepts";
    }

    /** The savepoint or checkpoint this run restored, if any. */
    public Optional<String> restoredFrom() {
        return Optional.ofNullable(restoredFrom);
    }

    /**
     * UP while the job starts, runs, or restarts from its last checkpoint (Flink recovers by itself), DEGRADED after
     * a restart, DOWN once it has ended (unless a bounded job finished) or restarted too often in a short time.
     */
    @Override
    public Health health() {
        return health.health();
    }

    /** Whether the job has ended (finished, failed for good, stopped or cancelled). */
    public boolean terminated() {
        return health.terminated();
    }

    /** Why the job failed for good (its restarts exhausted), if it did. */
    public Optional<Throwable> failure() {
        return health.failure();
    }

    /** Stops with a savepoint (falls back to cancel); idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        registry.remove(running);
        try {
            stop();
        } finally {
            JobRestarts.forget(job.getJobID().toString());
        }
    }

    private void stop() {
        Optional<JobStatus> status = health.status();
        if (status.isEmpty() || status.get().isGloballyTerminalState()) {
            return;
        }
        try {
            String savepoint = job.stopWithSavepoint(false, config.savepointDir(), SavepointFormatType.CANONICAL)
                    .get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.info("concept updater stopped with savepoint {}", savepoint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(e);
        } catch (ExecutionException | TimeoutException e) {
            cancel(e);
        }
    }

    private void cancel(Exception why) {
        LOG.warn("stop-with-savepoint failed ({}); cancelling: outputs since the last checkpoint are aborted "
                + "and will be produced again when resumed from the retained checkpoint", why.toString());
        try {
            job.cancel().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cancelling the concept-updater job failed: {}", e.toString());
        }
    }

    private static void ensureTopics(ConceptJobConfig config, KafkaConnection connection) {
        ConceptJobConfig.Topics t = config.topics();
        Set<String> used = Set.of(t.input(), t.labels(), t.centroids(), t.drift(), t.deadLetters());
        List<TopicSpec> catalog = Topics.ALL.stream().filter(spec -> used.contains(spec.name())).toList();
        if (catalog.isEmpty()) {
            return;
        }
        try (Admin admin = Admin.create(connection.admin())) {
            new TopicCatalogAdmin(admin).ensure(catalog, 0);
        }
    }
}
