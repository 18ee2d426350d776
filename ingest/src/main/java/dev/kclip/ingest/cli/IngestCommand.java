package dev.kclip.ingest.cli;

import dev.kclip.common.cli.DurationConverter;
import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.MetricsBindOption;
import dev.kclip.common.cli.UserException;
import dev.kclip.common.metrics.ServiceEndpoints;
import dev.kclip.common.service.StopSignal;
import dev.kclip.ingest.IngestConfig;
import dev.kclip.ingest.IngestService;
import dev.kclip.ingest.http.HttpIntakeConfig;
import dev.kclip.ingest.image.ImageSettings;
import dev.kclip.ingest.image.OutputFormat;
import dev.kclip.ingest.topology.IngestTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kclip ingest}: runs the validation topology and, with {@code --http}, the HTTP intake, until Ctrl-C. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Validate, normalise and de-duplicate kclip.pairs.raw into kclip.pairs; --http also serves the HTTP intake.")
public final class IngestCommand implements Callable<Integer> {

    /** Environment variable with the HTTP bearer token, when no --http-token-file is given. */
    public static final String TOKEN_ENV = "KCLIP_INGEST_TOKEN";

    /** Where the defaults come from: written once, in {@link IngestConfig#defaults} and {@link HttpIntakeConfig}. */
    private static final IngestConfig DEFAULTS = IngestConfig.defaults();
    private static final ImageSettings IMAGES = DEFAULTS.images();
    private static final long MIB = 1024 * 1024;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--http", paramLabel = "PORT", description = "Also serve the HTTP intake on PORT (0: a free port).")
    Integer httpPort;

    /** Bind address, token file (else $KCLIP_INGEST_TOKEN), TLS keystore, idle timeout, connection limit. */
    @Mixin
    HttpListenOptions listen;

    @Option(names = "--http-max-body-mb", paramLabel = "MB",
            description = "Largest HTTP request body in MiB; larger gets 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyMb = (int) (HttpIntakeConfig.DEFAULT_MAX_BODY_BYTES / MIB);

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Port of /metrics and /health (default: ${DEFAULT-VALUE}, a free port, printed).")
    int metricsPort = 0;

    @Mixin
    MetricsBindOption metricsBind;

    @Option(names = "--application-id", paramLabel = "ID",
            description = "Kafka Streams application id; instances with the same id share the work (default: ${DEFAULT-VALUE}).")
    String applicationId = DEFAULTS.applicationId();

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Local state folder (default: Kafka Streams' under the temp folder).")
    Path stateDir;

    @Option(names = "--threads", paramLabel = "N", description = "Stream threads (default: ${DEFAULT-VALUE}).")
    int threads = DEFAULTS.threads();

    @Option(names = "--max-side", paramLabel = "PX",
            description = "Longest side of normalised images (default: ${DEFAULT-VALUE}).")
    int maxSide = IMAGES.maxSide();

    @Option(names = "--max-pixels", paramLabel = "N",
            description = "Most pixels an image may declare; more is refused before decoding (default: ${DEFAULT-VALUE}).")
    long maxPixels = IMAGES.maxPixels();

    @Option(names = "--output-format", paramLabel = "FORMAT",
            description = "Re-encode images as ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat outputFormat = IMAGES.outputFormat();

    @Option(names = "--jpeg-quality", paramLabel = "1-100",
            description = "JPEG quality of normalised images (default: ${DEFAULT-VALUE}).")
    int jpegQuality = Math.round(IMAGES.jpegQuality() * 100);

    @Option(names = "--max-caption-chars", paramLabel = "N",
            description = "Longest caption accepted, in characters (default: ${DEFAULT-VALUE}).")
    int maxCaptionChars = DEFAULTS.maxCaptionChars();

    @Option(names = "--dedup-window", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long ids are remembered for de-duplication, e.g. 7d, 12h (default: ${DEFAULT-VALUE}).")
    Duration dedupWindow = DEFAULTS.dedupWindow();

    @Override
    public Integer call() {
        IngestConfig config = config();
        StopSignal stop = StopSignal.onJvmShutdown("ingest", Duration.ofSeconds(60));
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("ingest", metricsBind.address(), metricsPort);
                IngestService service = IngestService.start(config, kafka.connection(), endpoints.registry())) {
            endpoints.addHealthCheck("ingest", service::health);
            IngestTopics topics = config.topics();
            System.out.printf("ingest: %s -> %s (dead letters: %s), exactly-once, application id %s%n",
                    topics.input(), topics.output(), topics.deadLetters(), config.applicationId());
            if (service.httpPort() >= 0) {
                System.out.printf("ingest: HTTP intake on %s://%s:%d/v1/pairs and /v1/pairs:batch%n",
                        config.http().listen().scheme(), config.http().listen().bind(), service.httpPort());
            }
            System.out.printf("ingest: metrics on http://localhost:%d/metrics, health on /health; Ctrl-C stops%n", endpoints.port());
            System.out.flush();
            stop.awaitStop(Duration.ofDays(365 * 100));
        } finally {
            stop.finished();
        }
        return 0;
    }

    IngestConfig config() {
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("--jpeg-quality must be 1..100, not " + jpegQuality);
        }
        ImageSettings images = new ImageSettings(maxSide, maxPixels, outputFormat, jpegQuality / 100f);
        HttpIntakeConfig http = httpPort == null ? null : HttpIntakeConfig.of(httpPort, token())
                .withListen(listen.listen(httpPort, System.getenv())).withMaxBodyBytes(maxBodyMb * MIB);
        return new IngestConfig(applicationId, DEFAULTS.topics(), stateDir, threads, images, maxCaptionChars,
                dedupWindow, http, Map.of());
    }

    private String token() {
        String token = listen.token(TOKEN_ENV, System.getenv());
        if (token == null) {
            throw new UserException("--http needs a bearer token: --http-token-file FILE, or set " + TOKEN_ENV);
        }
        return token;
    }
}
