package dev.kclip.launcher.pipeline;

import dev.kclip.common.broker.EmbeddedKafkaBroker;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.metrics.ServiceEndpoints;
import dev.kclip.common.service.StageService;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.concepts.job.ConceptUpdaterService;
import dev.kclip.ingest.IngestService;
import dev.kclip.schemas.Topics;
import dev.kclip.teacher.service.TeacherService;
import dev.kclip.trainer.loop.TrainerService;
import dev.kclip.trainer.loop.TrainingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process: the embedded broker (unless an external cluster is named), the topics, and
 * every stage as it runs alone — ingest, teacher, concept updater (Flink MiniCluster), trainer — talking only
 * through Kafka. Closing stops the stages upstream first (so nothing new enters while the trainer writes its final
 * checkpoint), then the broker.
 */
public final class Pipeline implements AutoCloseable {

    /** The embedded broker's log folder under the state folder (also {@code kclip broker}'s under {@code .kclip}). */
    public static final String BROKER_DIR = "kafka";

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final EmbeddedKafkaBroker broker;
    private final KafkaConnection kafka;
    private final ServiceEndpoints endpoints;
    private final List<StageService> stages;
    private boolean stagesStopped;
    private boolean closed;

    private Pipeline(EmbeddedKafkaBroker broker, KafkaConnection kafka, ServiceEndpoints endpoints,
            List<StageService> stages) {
        this.broker = broker;
        this.kafka = kafka;
        this.endpoints = endpoints;
        this.stages = stages;
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
            started.add(IngestService.start(settings.ingest(), kafka, endpoints.registry()));
            progress.accept("ingest    " + (settings.ingest().http() == null ? "validation topology"
                    : "validation topology + HTTP intake on " + settings.ingest().http().listen().scheme() + "://"
                            + settings.ingest().http().listen().bind() + ":" + settings.ingest().http().port() + "/v1/pairs"));
            started.add(TeacherService.start(settings.teacher(), kafka, endpoints.registry()));
            progress.accept("teacher   " + settings.teacher().modelSpec());
            started.add(ConceptUpdaterService.start(settings.concepts(), kafka, endpoints.registry()));
            progress.accept("concepts  Flink job on an embedded MiniCluster, K=" + settings.concepts().concepts().kmeans().k()
                    + ", labels after the first " + settings.concepts().concepts().effectiveBootstrapSize()
                    + " embeddings, checkpoints " + settings.concepts().checkpointDir());
            TrainerService trainer = TrainerService.start(settings.trainer(), kafka, endpoints.registry(), listener);
            started.add(trainer);
            progress.accept("trainer   model " + settings.trainer().model().name() + ", checkpoints "
                    + settings.trainer().checkpoints().directory());
            for (StageService stage : started) {
                endpoints.addHealthCheck(stage.name(), stage::health);
            }
            progress.accept("metrics   http://localhost:" + endpoints.port() + "/metrics  (health: /health)");
            return new Pipeline(broker, kafka, endpoints, List.copyOf(started));
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

    /** Where the pipeline's Kafka is. */
    public KafkaConnection kafka() {
        return kafka;
    }

    /** The meters every stage registers (counters such as {@code kclip.trainer.examples.consumed}). */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return endpoints.registry();
    }

    /** The first stage that reports itself down, if any. */
    public Optional<String> failure() {
        for (StageService stage : stages) {
            ServiceEndpoints.Health health = stage.health();   // asked once: the Flink stage's answer is a remote call
            if (!health.up()) {
                return Optional.of(stage.name() + ": " + health.detail());
            }
        }
        return Optional.empty();
    }

    /**
     * Stops every stage, upstream first, and leaves the broker running so what they wrote last can still be read.
     * Idempotent.
     */
    public synchronized void stopStages() {
        if (!stagesStopped) {
            stagesStopped = true;
            stopAll(stages);
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
