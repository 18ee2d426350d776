package dev.kclip.launcher;

import dev.kclip.common.cli.DurationConverter;
import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.MetricsBindOption;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.service.FailureWindow;
import dev.kclip.common.service.StopSignal;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.ingest.cli.HttpListenOptions;
import dev.kclip.ingest.http.HttpIntakeConfig;
import dev.kclip.launcher.pipeline.Bundled;
import dev.kclip.launcher.pipeline.Pipeline;
import dev.kclip.launcher.pipeline.PipelineSettings;
import dev.kclip.launcher.pipeline.StagePlacement;
import dev.kclip.launcher.pipeline.Supervisor;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.onnx.OnnxMiniLmTeacher;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.TrainingListener;
import java.nio.file.Path;
import java.time.Duration;
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

    @Mixin
    PlacementOptions placement;

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

    @Option(names = "--retained-checkpoints", paramLabel = "N",
            description = "Concept-updater checkpoints and savepoints kept (as kclip concepts run; default: ${DEFAULT-VALUE}).")
    int retainedCheckpoints = ConceptJobConfig.defaults().retainedCheckpoints();

    @Option(names = "--restart-failed-stages",
            description = "Restart a stage that is DOWN, after an exponential back-off, instead of stopping everything and exiting 1.")
    boolean restartFailedStages;

    @Option(names = "--max-restarts", paramLabel = "N",
            description = "With --restart-failed-stages: restarts per stage before `up` stops and exits 1 (default: ${DEFAULT-VALUE}).")
    int maxRestarts = Supervisor.Policy.DEFAULT_MAX_RESTARTS;

    @Option(names = "--down-after", paramLabel = "N",
            description = "Recoverable failures (stream thread replacements, Flink job restarts, aborted teacher batches in a row) within --failure-window that make a stage DOWN (default: ${DEFAULT-VALUE}).")
    int downAfter = FailureWindow.Policy.DEFAULT.downAfter();

    @Option(names = "--failure-window", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a recoverable failure counts towards --down-after (default: ${DEFAULT-VALUE}).")
    Duration failureWindow = FailureWindow.Policy.DEFAULT.window();

    @Override
    public Integer call() {
        String chosen = http.token(IntakeToken.ENV, System.getenv());
        IntakeToken kept = chosen == null ? IntakeToken.in(home) : null;
        HttpIntakeConfig intake = HttpIntakeConfig.of(httpPort, chosen != null ? chosen : kept.token())
                .withListen(http.listen(httpPort, System.getenv()));
        StagePlacement stages = placement.placement();
        PipelineSettings defaults = stages.apply(PipelineSettings.defaults(home, kafka.clusterGiven() ? -1 : port, intake, teacher))
                .withMetricsPort(metricsPort).withMetricsBind(metricsBind.address())
                .withFailures(new FailureWindow.Policy(downAfter, failureWindow));
        ConceptJobConfig conceptJob = defaults.concepts();
        ConceptSettings conceptSettings = conceptJob.concepts();
        PipelineSettings settings = defaults.withConcepts(conceptJob.withRetainedCheckpoints(retainedCheckpoints)
                .withConcepts(conceptSettings
                .withKMeans(conceptSettings.kmeans().withK(concepts))
                .withBootstrapSize(bootstrapSize))).withTrainerInit(placement.init(init, System.out));
        StopSignal stop = StopSignal.onJvmShutdown("up", Duration.ofMinutes(2));
        System.out.println("kclip up: starting (state in " + settings.home() + "; " + stages.describe() + ")");
        Supervisor.Outcome outcome;
        try (Pipeline pipeline = Pipeline.start(settings, kafka.connection(), TrainingListener.NONE,
                line -> System.out.println("  " + line))) {
            if (kept != null) {
                System.out.println("  http      " + kept.describe());
            }
            System.out.println("kclip up: running; push data with `./kclip push datasets/emoji-64/pairs.jsonl`, "
                    + "follow checkpoints with `./kclip checkpoints follow --to DIR`; Ctrl-C stops.");
            Supervisor supervisor = new Supervisor(pipeline, Supervisor.Policy.EXIT.withRestarts(restartFailedStages,
                    maxRestarts), line -> System.err.println("kclip up: " + line));
            outcome = supervisor.run(stop::awaitStop);
            outcome.failure().ifPresent(f -> System.err.println("kclip up: " + f + "; stopping"));
            System.out.println("kclip up: stopping (final checkpoint, closing transactions) ...");
        } finally {
            stop.finished();
        }
        System.out.println("kclip up: stopped" + (outcome.failed() ? " after a stage failed" : ""));
        return outcome.failed() ? 1 : 0;
    }
}
