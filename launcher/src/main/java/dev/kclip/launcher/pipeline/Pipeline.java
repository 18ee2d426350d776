package dev.kclip.launcher.pipeline;

import dev.kclip.common.broker.EmbeddedKafkaBroker;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.live.ConsumerGroupProgress;
import dev.kclip.common.live.LiveBoard;
import dev.kclip.common.live.TopicWatch;
import dev.kclip.common.metrics.Health;
import dev.kclip.common.metrics.ServiceEndpoints;
import dev.kclip.common.service.StageService;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.concepts.cli.DriftLines;
import dev.kclip.concepts.job.ConceptUpdaterService;
import dev.kclip.ingest.IngestService;
import dev.kclip.schemas.Topics;
import dev.kclip.teacher.service.TeacherService;
import dev.kclip.trainer.loop.TrainerService;
import dev.kclip.trainer.loop.TrainingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process: the embedded broker (unless an external cluster is named), the topics, and
 * every stage as it runs alone — ingest, teacher, concept updater (Flink MiniCluster), trainer — talking only
 * through Kafka. Closing stops the stages upstream first (so nothing new enters while the trainer writes its final
 * checkpoint), then the broker. A stage can be restarted alone ({@link #restart}, what {@link Supervisor} does with
 * {@code --restart-failed-stages}): it is closed and started again from the same settings.
 */
public final class Pipeline implements AutoCloseable, Supervisor.Stages {

    /** The embedded broker's log folder under the state folder (also {@code kclip broker}'s under {@code .kclip}). */
    public static final String BROKER_DIR = "kafka";
    /** The trainer stage's name ({@link #pause}, {@link #restart}, {@code /health}). */
    public static final String TRAINER = "trainer";

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final EmbeddedKafkaBroker broker;
    private final KafkaConnection kafka;
    private final ServiceEndpoints endpoints;
    /** A stage by name, and how to start it (again). */
    private record Launch(String name, Supplier<StageService> start) {
    }

    private final List<Launch> launches;
    private final List<StageService> stages;
    /** Stages closed by {@link #pause} until {@link #restart}: no failure, DEGRADED on {@code /health}. */
    private final Set<String> paused = new HashSet<>();
    private boolean stagesStopped;
    private boolean closed;

    private Pipeline(EmbeddedKafkaBroker broker, KafkaConnection kafka, ServiceEndpoints endpoints,
            List<Launch> launches, List<StageService> stages) {
        this.broker = broker;
        this.kafka = kafka;
        this.endpoints = endpoints;
        this.launches = launches;
        this.stages = new ArrayList<>(stages);
    }

    /**
     * Starts everything and returns once every stage is running.
     *
     * @param external the cluster to use when {@code settings} names no embedded broker
     * @param listener hears every training step and checkpoint
     * @param progress one line per started part, for the user
     */
    public static Pipeline start(PipelineSettings settings, KafkaConnection external, TrainingListener listener,
            Consumer<String> progress) {
        EmbeddedKafkaBroker broker = null;
        ServiceEndpoints endpoints = null;
        List<StageService> started = new ArrayList<>();
        try {
            KafkaConnection kafka = external;
            if (settings.embeddedBroker()) {
                long t0 = System.nanoTime();
                broker = EmbeddedKafkaBroker.start(settings.home().resolve(BROKER_DIR), settings.brokerPort(),
                        Duration.ofSeconds(60));
                kafka = KafkaConnection.to(broker.bootstrapServers());
                progress.accept(String.format("broker    %s (data %s, %.1f s)", broker.bootstrapServers(),
                        broker.dataDir(), (System.nanoTime() - t0) / 1e9));
            }
            try (Admin admin = Admin.create(kafka.admin())) {
                long created = new TopicCatalogAdmin(admin).ensure(Topics.ALL, 0).stream()
                        .filter(TopicCatalogAdmin.Outcome::created).count();
                progress.accept("topics    " + Topics.ALL.size() + " in the catalog, " + created + " created");
            }
            endpoints = ServiceEndpoints.start("kclip-up", settings.metricsBind(), settings.metricsPort());
            watchPipeline(endpoints, kafka);
            KafkaConnection k = kafka;
            io.micrometer.core.instrument.MeterRegistry registry = endpoints.registry();
            List<Launch> launches = List.of(
                    new Launch("ingest", () -> IngestService.start(settings.ingest(), k, registry, settings.failures())),
                    new Launch(TeacherService.STAGE, () -> TeacherService.start(settings.teacher(), k, registry,
                            settings.failures())),
                    new Launch("concepts", () -> ConceptUpdaterService.start(settings.concepts(), k, registry,
                            settings.failures())),
                    new Launch(TRAINER, () -> TrainerService.start(settings.trainer(), k, registry, listener)));
            started.add(launches.get(0).start().get());
            progress.accept("ingest    " + (settings.ingest().http() == null ? "validation topology"
                    : "validation topology + HTTP intake on " + settings.ingest().http().listen().scheme() + "://"
                            + settings.ingest().http().listen().bind() + ":" + settings.ingest().http().port() + "/v1/pairs"));
            started.add(launches.get(1).start().get());
            progress.accept("teacher   " + settings.teacher().modelSpec());
            started.add(launches.get(2).start().get());
            progress.accept("concepts  Flink job on an embedded MiniCluster, K=" + settings.concepts().concepts().kmeans().k()
                    + ", labels after the first " + settings.concepts().concepts().effectiveBootstrapSize()
                    + " embeddings, checkpoints " + settings.concepts().checkpointDir());
            started.add(launches.get(3).start().get());
            progress.accept("trainer   model " + settings.trainer().model().name() + ", checkpoints "
                    + settings.trainer().checkpoints().directory());
            Pipeline pipeline = new Pipeline(broker, kafka, endpoints, launches, started);
            for (Launch launch : launches) {
                endpoints.addHealthCheck(launch.name(), () -> pipeline.health(launch.name()));
            }
            progress.accept("live      http://localhost:" + endpoints.port() + "/  (metrics: /metrics, health: /health)");
            return pipeline;
        } catch (RuntimeException e) {
            stopAll(started);
            if (endpoints != null) {
                endpoints.close();
            }
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
    }

    /**
     * Makes the endpoints' live page show the whole pipeline: every stage's progress and lag (its consumer group),
     * and the concepts, drift windows and checkpoints its topics carry.
     */
    static void watchPipeline(ServiceEndpoints endpoints, KafkaConnection kafka) {
        endpoints.live().add(ConsumerGroupProgress.of(kafka, LiveBoard.POINTS));
        endpoints.live().add(TopicWatch.start(kafka, TopicWatch.PIPELINE, DriftLines::format));
    }

    /** Where the pipeline's Kafka is. */
    public KafkaConnection kafka() {
        return kafka;
    }

    /** The port of its endpoints: the live page ({@code /}), {@code /metrics} and {@code /health}. */
    public int metricsPort() {
        return endpoints.port();
    }

    /** The meters every stage registers (counters such as {@code kclip.trainer.examples.consumed}). */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return endpoints.registry();
    }

    /** The first stage that reports itself DOWN, if any (DEGRADED ones still work). */
    @Override
    public Optional<Supervisor.Failure> failure() {
        for (StageService stage : running()) {
            Health health = stage.health();   // asked once: the Flink stage's answer is a remote call
            if (health.down()) {
                return Optional.of(new Supervisor.Failure(stage.name(), health.detail()));
            }
        }
        return Optional.empty();
    }

    /**
     * Closes the named stage and starts it again from the same settings (state and offsets as a process restart
     * would find them). When the new start fails the old stage stays closed and the exception is thrown.
     */
    @Override
    public void restart(String name) {
        int index = indexOf(name);
        StageService old;
        synchronized (this) {
            if (stagesStopped) {
                return;
            }
            old = stages.get(index);
        }
        try {
            old.close();
        } catch (RuntimeException e) {
            LOG.warn("{} did not stop cleanly before its restart: {}", name, e.toString());
        }
        StageService fresh = launches.get(index).start().get();
        synchronized (this) {
            if (stagesStopped) {
                fresh.close();
                return;
            }
            stages.set(index, fresh);
            paused.remove(name);
        }
        LOG.info("{} restarted", name);
    }

    /**
     * Closes the named stage (as at shutdown: the trainer writes its checkpoint) and leaves it closed until
     * {@link #restart}; meanwhile it counts as no failure. What {@code kclip demo --pause-trainer} measures with.
     */
    public void pause(String name) {
        StageService stage;
        synchronized (this) {
            stage = stages.get(indexOf(name));
            paused.add(name);
        }
        stage.close();
        LOG.info("{} paused", name);
    }

    private Health health(String name) {
        synchronized (this) {
            if (paused.contains(name)) {
                return Health.degraded("paused");
            }
        }
        return stage(name).health();
    }

    /** The stages that are not paused. */
    private synchronized List<StageService> running() {
        List<StageService> running = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            if (!paused.contains(launches.get(i).name())) {
                running.add(stages.get(i));
            }
        }
        return running;
    }

    private synchronized StageService stage(String name) {
        return stages.get(indexOf(name));
    }

    private int indexOf(String name) {
        for (int i = 0; i < launches.size(); i++) {
            if (launches.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no stage named " + name);
    }

    /**
     * Stops every stage, upstream first, and leaves the broker running so what they wrote last can still be read.
     * Idempotent.
     */
    public synchronized void stopStages() {
        if (!stagesStopped) {
            stagesStopped = true;
            stopAll(List.copyOf(stages));
        }
    }

    /** Stops every stage (upstream first), then the broker. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopStages();
        endpoints.close();
        if (broker != null) {
            broker.close();
        }
    }

    private static void stopAll(List<StageService> stages) {
        for (StageService stage : stages) {
            try {
                stage.close();
            } catch (RuntimeException e) {
                LOG.warn("{} did not stop cleanly: {}", stage.name(), e.toString());
            }
        }
    }
}
