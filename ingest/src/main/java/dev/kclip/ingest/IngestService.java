package dev.kclip.ingest;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.metrics.Health;
import dev.kclip.common.service.FailureWindow;
import dev.kclip.common.service.StageService;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.ingest.http.HttpIntake;
import dev.kclip.ingest.image.ImageNormalizer;
import dev.kclip.ingest.push.RawPairProducer;
import dev.kclip.ingest.topology.IngestMetrics;
import dev.kclip.ingest.topology.IngestTopology;
import dev.kclip.ingest.validate.CaptionRules;
import dev.kclip.ingest.validate.PairValidator;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running ingest stage: the validation topology on Kafka Streams (exactly-once v2) and, when configured, the
 * HTTP intake. {@link #start} returns at once; work happens on background threads. A stream thread that fails is
 * replaced; each replacement counts in a {@link FailureWindow}, so a failure that comes back every time (the same
 * record failing again after the replacement re-reads it) turns the stage DEGRADED and then DOWN, with the reason.
 */
public final class IngestService implements StageService {

    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final int MAX_RECORD_BYTES = Topics.MAX_MESSAGE_BYTES;

    private final IngestConfig config;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final IngestMetrics metrics;
    private final HttpIntake http;
    private final FailureWindow replacements;
    private boolean closed;

    private IngestService(IngestConfig config, KafkaStreams streams, KafkaStreamsMetrics streamsMetrics,
            IngestMetrics metrics, HttpIntake http, FailureWindow replacements) {
        this.config = config;
        this.replacements = replacements;
        this.streams = streams;
        this.streamsMetrics = streamsMetrics;
        this.metrics = metrics;
        this.http = http;
    }

    /**
     * Creates the ingest topics if missing, starts the topology and, if configured, the HTTP intake.
     *
     * @param registry where the stage's meters go ({@code kclip.ingest.*} and Kafka Streams' own)
     */
    public static IngestService start(IngestConfig config, KafkaConnection kafka, MeterRegistry registry) {
        return start(config, kafka, registry, FailureWindow.Policy.DEFAULT);
    }

    /**
     * As {@link #start(IngestConfig, KafkaConnection, MeterRegistry)}, DOWN after {@code failures} stream thread
     * replacements in their window.
     */
    public static IngestService start(IngestConfig config, KafkaConnection kafka, MeterRegistry registry,
            FailureWindow.Policy failures) {
        ensureTopics(config, kafka);
        IngestMetrics metrics = new IngestMetrics(registry);
        PairValidator validator = new PairValidator(new CaptionRules(config.maxCaptionChars()),
                new ImageNormalizer(config.images()), Clock.systemUTC());
        KafkaStreams streams = new KafkaStreams(
                IngestTopology.build(config.topics(), validator, config.dedupWindow(), metrics), streamsProperties(config, kafka));
        FailureWindow replacements = new FailureWindow("stream thread replacements", failures);
        streams.setUncaughtExceptionHandler(e -> {
            // record-level problems are dead-lettered; what reaches here is infrastructure, worth a fresh thread,
            // but not for ever: the window turns the stage DOWN when the failure keeps coming back
            LOG.error("ingest stream thread failed, replacing it: {}", e.toString(), e);
            replacements.failed(rootCause(e));
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        streams.start();
        HttpIntake http = null;
        if (config.http() != null) {
            try {
                http = HttpIntake.start(config.http(), config.topics().input(), kafka, registry);
            } catch (RuntimeException e) {
                streams.close(Duration.ofSeconds(30));
                streamsMetrics.close();
                throw e;
            }
        }
        return new IngestService(config, streams, streamsMetrics, metrics, http, replacements);
    }

    /** The innermost cause, named with its message: Streams wraps the producer's exception twice. */
    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    static Properties streamsProperties(IngestConfig config, KafkaConnection kafka) {
        Properties props = kafka.clientProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
        if (config.stateDir() != null) {
            props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        }
        // records carry images: allow the 16 MiB the topics allow
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), MAX_RECORD_BYTES);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), MAX_RECORD_BYTES);
        props.putAll(config.streamsOverrides());
        return props;
    }

    private static void ensureTopics(IngestConfig config, KafkaConnection kafka) {
        List<TopicSpec> specs = List.of(
                renamed(Topics.PAIRS_RAW, config.topics().input()),
                renamed(Topics.PAIRS, config.topics().output()),
                renamed(Topics.DEAD_LETTERS, config.topics().deadLetters()));
        try (Admin admin = Admin.create(kafka.admin())) {
            new TopicCatalogAdmin(admin).ensure(specs, 0);
        }
        // the HTTP intake and pushes may write to a topic created a moment ago
        RawPairProducer.requireTopic(kafka, config.topics().input());
    }

    private static TopicSpec renamed(TopicSpec spec, String name) {
        return name.equals(spec.name()) ? spec
                : new TopicSpec(name, spec.partitions(), spec.config(), spec.valueType(), spec.key(), spec.description());
    }

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public Health health() {
        KafkaStreams.State state = streams.state();
        String detail = "streams " + state + (http == null ? "" : ", HTTP intake on port " + http.port());
        return replacements.apply(switch (state) {
            case RUNNING, REBALANCING, CREATED -> Health.up(detail);
            default -> Health.down(detail);
        });
    }

    /** The Kafka Streams state (RUNNING once partitions are assigned). */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The HTTP intake's port, or -1 when it is off. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public IngestConfig config() {
        return config;
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    /** Stops the HTTP intake (in-flight requests answered), then the topology (its transaction committed). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.close();
        }
        streams.close(Duration.ofSeconds(60));
        streamsMetrics.close();
    }
}
