package dev.kclip.launcher;

import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.MetricsBindOption;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.service.StopSignal;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.ingest.cli.HttpListenOptions;
import dev.kclip.ingest.http.HttpIntakeConfig;
import dev.kclip.launcher.pipeline.Bundled;
import dev.kclip.launcher.pipeline.Pipeline;
import dev.kclip.launcher.pipeline.PipelineSettings;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.onnx.OnnxMiniLmTeacher;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.TrainingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on this machine: broker, ingest + HTTP, teacher, concept updater, trainer (Ctrl-C stops it cleanly).")
final class UpCommand implements Callable<Integer> {

    /** The state folder of {@code kclip up}; {@code kclip broker} and {@code kclip demo} keep theirs under it. */
    static final Path DEFAULT_HOME = Path.of(".kclip");
    /** Where the concept defaults come from: written once, in {@link ConceptJobConfig#defaults}. */
    private static final ConceptSettings CONCEPTS = ConceptJobConfig.defaults().concepts();

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--home", paramLabel = "DIR",
            description = "State folder (broker log, Streams state, Flink checkpoints, trainer checkpoints); a second `up` continues from it (default: ${DEFAULT-VALUE}).")
    Path home = DEFAULT_HOME;

    @Option(names = "--port", description = "Port of the embedded broker (default: ${DEFAULT-VALUE}); not used with --bootstrap.")
    int port = KafkaConnection.DEFAULT_PORT;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP intake port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    /**
     * Bind address (default 127.0.0.1), token file, TLS keystore, idle timeout, connection limit of the intake. Without
     * a token file or $KCLIP_HTTP_TOKEN the token is a random one in {@code HOME/http-token} (rw-------).
     */
    @Mixin
    HttpListenOptions http;

    @Option(names = "--teacher", paramLabel = "SPEC",
            description = "Teacher model: " + TeacherModels.SPECS + " (default: ${DEFAULT-VALUE}).")
    String teacher = OnnxMiniLmTeacher.SPEC;

    @Option(names = "--init", paramLabel = "DIR|none",
            description = "Start a new student from this pretrained CLIP directory (as kclip train --init), or none for"
                    + " random weights (default: the bundled " + Bundled.BASE + "); a run that resumes ignores it.")
    String init;

    @Option(names = "--metrics-port", description = "Port of /metrics and /health (default: ${DEFAULT-VALUE}).")
    int metricsPort = PipelineSettings.DEFAULT_METRICS_PORT;

    @Mixin
    MetricsBindOption metricsBind;

    @Option(names = "--concepts", paramLabel = "K", description = "K-means concepts (default: ${DEFAULT-VALUE}).")
    int concepts = CONCEPTS.kmeans().k();

    @Option(names = "--bootstrap-size", paramLabel = "B",
            description = "Embeddings buffered before the first K-means; labelling starts after them (default: max(2048, 20·K)).")
    int bootstrapSize = CONCEPTS.bootstrapSize();

    @Override
    public Integer call() {
        String chosen = http.token(IntakeToken.ENV, System.getenv());
        IntakeToken kept = chosen == null ? IntakeToken.in(home) : null;
        HttpIntakeConfig intake = HttpIntakeConfig.of(httpPort, chosen != null ? chosen : kept.token())
                .withListen(http.listen(httpPort, System.getenv()));
        PipelineSettings defaults = PipelineSettings.defaults(home, kafka.clusterGiven() ? -1 : port, intake, teacher)
                .withMetricsPort(metricsPort).withMetricsBind(metricsBind.address());
        ConceptJobConfig conceptJob = defaults.concepts();
        ConceptSettings conceptSettings = conceptJob.concepts();
        PipelineSettings settings = defaults.withConcepts(conceptJob.withConcepts(conceptSettings
                .withKMeans(conceptSettings.kmeans().withK(concepts))
                .withBootstrapSize(bootstrapSize))).withTrainerInit(Bundled.init(init, System.out));
        StopSignal stop = StopSignal.onJvmShutdown("up", Duration.ofMinutes(2));
        System.out.println("kclip up: starting (state in " + settings.home() + ")");
        try (Pipeline pipeline = Pipeline.start(settings, kafka.connection(), TrainingListener.NONE,
                line -> System.out.println("  " + line))) {
            if (kept != null) {
                System.out.println("  http      " + kept.describe());
            }
            System.out.println("kclip up: running; push data with `./kclip push datasets/emoji-64/pairs.jsonl`, "
                    + "follow checkpoints with `./kclip checkpoints follow --to DIR`; Ctrl-C stops.");
            while (!stop.awaitStop(Duration.ofSeconds(2))) {
                Optional<String> failure = pipeline.failure();
                if (failure.isPresent()) {
                    System.err.println("kclip up: " + failure.get() + "; stopping");
                    break;
                }
            }
            System.out.println("kclip up: stopping (final checkpoint, closing transactions) ...");
        } finally {
            stop.finished();
        }
        System.out.println("kclip up: stopped");
        return 0;
    }
}
