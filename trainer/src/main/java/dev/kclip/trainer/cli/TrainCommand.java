package dev.kclip.trainer.cli;

import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.MetricsBindOption;
import dev.kclip.common.live.TopicWatch;
import dev.kclip.common.metrics.ServiceEndpoints;
import dev.kclip.common.service.StopSignal;
import dev.kclip.schemas.Topics;
import dev.kclip.teacher.Devices;
import dev.kclip.trainer.checkpoint.CheckpointServer;
import dev.kclip.trainer.data.DecodedImages;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.TrainerService;
import dev.kclip.trainer.loop.TrainingSettings;
import dev.kclip.trainer.loss.DistillationLoss;
import dev.kclip.trainer.loss.LossWeights;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kclip train}: the continuous trainer in the foreground. */
@Command(name = "train", mixinStandardHelpOptions = true, subcommands = {TrainBenchCommand.class, PretrainCommand.class},
        description = "Train the Knowledge-CLIP student continuously from kclip.train.examples, with checkpoints, until Ctrl-C.")
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    /** The checkpoint store of {@code kclip train} and {@code kclip checkpoints export} when none is given. */
    static final Path DEFAULT_CHECKPOINT_DIR = Path.of(".kclip", "checkpoints");
    /** Where the defaults come from: written once, in {@link TrainerConfig#defaults} and {@link TrainingSettings#defaults}. */
    private static final TrainerConfig DEFAULTS = TrainerConfig.defaults(DEFAULT_CHECKPOINT_DIR);
    private static final TrainingSettings TRAINING = DEFAULTS.training();

    @Option(names = "--run-id", paramLabel = "ID",
            description = "Training run: consumer group and key of its checkpoint events (default: ${DEFAULT-VALUE}).")
    String runId = DEFAULTS.runId();

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Default: ${DEFAULT-VALUE}.")
    String topic = DEFAULTS.topic();

    @Option(names = "--model", paramLabel = "NAME|FILE",
            description = "tiny, vit-b-32, or a JSON file overriding one (default: ${DEFAULT-VALUE}).")
    String model = DEFAULTS.model().name();

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Checkpoint store (default: ${DEFAULT-VALUE}).")
    Path checkpointDir = DEFAULTS.checkpoints().directory();

    @Option(names = "--checkpoint-every-steps", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}; 0 = not by steps.")
    long checkpointEverySteps = DEFAULTS.checkpoints().everySteps();

    @Option(names = "--checkpoint-every-seconds", paramLabel = "S",
            description = "While stream examples are trained (not for idle replay): default ${DEFAULT-VALUE}; 0 = not by time.")
    long checkpointEverySeconds = DEFAULTS.checkpoints().every() == null ? 0 : DEFAULTS.checkpoints().every().toSeconds();

    @Option(names = "--keep", paramLabel = "N", description = "Newest checkpoints kept (default: ${DEFAULT-VALUE}).")
    int keep = DEFAULTS.checkpoints().keep();

    @Option(names = "--signing-key-file", paramLabel = "FILE",
            description = "Sign every checkpoint's manifest with the key in FILE (HMAC-SHA256, at least 16 bytes), for"
                    + " followers started with the same --signing-key-file (default: unsigned).")
    Path signingKeyFile = DEFAULTS.checkpoints().signingKeyFile();

    @Option(names = "--serve-checkpoints", paramLabel = "PORT",
            description = "Serve the checkpoint store over HTTP(S) on PORT for followers on machines that share no disk"
                    + " (needs a token: --checkpoints-token-file or $" + CheckpointServer.TOKEN_ENV + "); events then"
                    + " carry its URL (default: not served).")
    Integer serveCheckpoints;

    @Option(names = "--checkpoints-url", paramLabel = "URL",
            description = "The URL followers reach the checkpoint server at, http(s)://host:port/ (default with"
                    + " --serve-checkpoints: the bound address, or this machine's name when bound to 0.0.0.0); events"
                    + " locate each checkpoint at URL/vNNNNNN/ (default: its file: path).")
    URI checkpointsUrl;

    @Mixin
    CheckpointServingOptions serving;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per step, replays included (default: ${DEFAULT-VALUE}).")
    int batchSize = DEFAULTS.batching().batchSize();

    @Option(names = "--max-wait-ms", paramLabel = "MS",
            description = "Longest an example waits for its batch to fill (default: ${DEFAULT-VALUE}).")
    long maxWaitMs = DEFAULTS.batching().maxWait().toMillis();

    @Option(names = "--prefetch-workers", paramLabel = "N",
            description = "Threads decoding and augmenting the next batch's images while a step trains; 0 = on the"
                    + " training thread (default: ${DEFAULT-VALUE}).")
    int prefetchWorkers = DEFAULTS.batching().prefetchWorkers();

    @Option(names = "--decoded-cache-mb", paramLabel = "MB",
            description = "Memory for decoded images kept for their next batch or replay, least recently used evicted"
                    + " first; 0 = decode at every batch (default: ${DEFAULT-VALUE}).")
    long decodedCacheMb = DEFAULTS.batching().decodedCacheBytes() / DecodedImages.MB;

    @Option(names = "--replay-share", paramLabel = "F", description = "Share of each batch replayed (default: ${DEFAULT-VALUE}).")
    double replayShare = DEFAULTS.replay().share();

    @Option(names = "--replay-capacity", paramLabel = "N", description = "Reservoir size (default: ${DEFAULT-VALUE}).")
    int replayCapacity = DEFAULTS.replay().capacity();

    @Option(names = "--idle-replay-steps", paramLabel = "N",
            description = "Replay-only steps per idle period of the stream (default: ${DEFAULT-VALUE}).")
    int idleReplaySteps = DEFAULTS.replay().idleBudgetSteps();

    @Option(names = "--idle-after-seconds", paramLabel = "S",
            description = "Seconds without new examples that count as idle (default: ${DEFAULT-VALUE}).")
    long idleAfterSeconds = DEFAULTS.replay().idleAfter().toSeconds();

    @Option(names = "--held-out-share", paramLabel = "F",
            description = "Share of examples (by id) kept out of training for evaluation (default: ${DEFAULT-VALUE}).")
    double heldOutShare = DEFAULTS.heldOut().share();

    @Option(names = "--label-field", paramLabel = "FIELD",
            description = "Zero-shot labels: the pair's label, or an attribute name (default: ${DEFAULT-VALUE}).")
    String labelField = DEFAULTS.heldOut().labelField();

    @Option(names = "--bucket-field", paramLabel = "FIELD",
            description = "Continual evaluation: time buckets named by this field (label or an attribute); each checkpoint "
                    + "scores zero-shot per bucket into an accuracy matrix (default: no buckets).")
    String bucketField = DEFAULTS.heldOut().buckets().field();

    @Option(names = "--bucket-every", paramLabel = "N",
            description = "Continual evaluation: a new time bucket every N stream examples, t0, t1, ... (default: ${DEFAULT-VALUE}: none).")
    long bucketEvery = DEFAULTS.heldOut().buckets().everyExamples();

    @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate (default: " + TrainingSettings.DEFAULT_RATE_TEXT + ").")
    Double learningRate;

    @Option(names = "--warmup-steps", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    long warmupSteps = TRAINING.warmupSteps();

    @Option(names = "--decay-steps", paramLabel = "N",
            description = "Cosine decay of the rate after warm-up, to a tenth of it over N steps; 0 keeps it constant. Default: ${DEFAULT-VALUE}.")
    long decaySteps = TRAINING.decaySteps();

    @Option(names = "--alpha", description = "Weight of the distillation loss (default: ${DEFAULT-VALUE}).")
    double alpha = TRAINING.lossWeights().alpha();

    @Option(names = "--beta", description = "Weight of the concept loss (default: ${DEFAULT-VALUE}).")
    double beta = TRAINING.lossWeights().beta();

    @Option(names = "--gamma", description = "Weight of the contrastive loss (default: ${DEFAULT-VALUE}).")
    double gamma = TRAINING.lossWeights().gamma();

    @Option(names = "--distillation", paramLabel = "MSE|COSINE", description = "Default: ${DEFAULT-VALUE}.")
    DistillationLoss.Kind distillation = TRAINING.distillation();

    @Option(names = "--device", paramLabel = Devices.NAMES, description = "Default: ${DEFAULT-VALUE}.")
    String device = Devices.name(DEFAULTS.device());

    @Option(names = "--precision", paramLabel = "FP32|MIXED", description = "Default: MIXED on gpu, FP32 on cpu.")
    Precision precision = DEFAULTS.precision();

    @Option(names = "--seed", description = "Default: ${DEFAULT-VALUE}.")
    long seed = TRAINING.seed();

    @Option(names = "--init-text-from-teacher", paramLabel = "SPEC",
            description = "Seed a new student's token embeddings from this teacher's embeddings of the vocabulary, e.g. onnx-minilm.")
    String textInitTeacher = TRAINING.textInitTeacher();

    @Option(names = "--init", paramLabel = "DIR|none",
            description = "Start a new student from a pretrained CLIP: a Hugging Face CLIPModel directory (config.json,"
                    + " safetensors, tokenizer.json) or an open_clip one; ${DEFAULT-VALUE} = random weights.")
    String init = TrainerConfig.NO_INIT;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Port of /metrics and /health; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int metricsPort = 9404;

    @Mixin
    MetricsBindOption metricsBind;

    /** The configuration these options describe. */
    TrainerConfig config() {
        TrainingSettings training = TRAINING
                .withLossWeights(new LossWeights(alpha, beta, gamma))
                .withDistillation(distillation)
                .withLearningRate(TRAINING.learningRate(), warmupSteps).withDecaySteps(decaySteps)
                .withSeed(seed)
                .withTextInitTeacher(textInitTeacher);
        TrainerConfig configured = DEFAULTS.withRunId(runId).withTopic(topic).withModel(ModelConfig.load(model)).withTraining(training)
                .withBatching(new TrainerConfig.Batching(batchSize, Duration.ofMillis(maxWaitMs), prefetchWorkers,
                        decodedCacheMb * DecodedImages.MB))
                .withReplay(new TrainerConfig.Replay(replayShare, replayCapacity, idleReplaySteps, Duration.ofSeconds(idleAfterSeconds)))
                .withHeldOut(new TrainerConfig.HeldOut(heldOutShare, DEFAULTS.heldOut().capacity(), labelField,
                        new TrainerConfig.Bucketing(bucketField, bucketEvery)))
                .withCheckpoints(new TrainerConfig.Checkpointing(checkpointDir, checkpointEverySteps,
                        checkpointEverySeconds > 0 ? Duration.ofSeconds(checkpointEverySeconds) : null, keep)
                        .withSigningKeyFile(signingKeyFile).withAdvertisedUrl(checkpointsUrl))
                .withDevice(Devices.parse(device), precision);
        TrainerConfig started = configured.withInit(init);
        return learningRate == null ? started
                : started.withTraining(started.training().withLearningRate(learningRate, warmupSteps));
    }

    @Override
    public Integer call() throws InterruptedException, IOException {
        TrainerConfig configured = config();
        StopSignal signal = StopSignal.onJvmShutdown("trainer", Duration.ofMinutes(2));
        CheckpointServer server = null;
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("trainer", metricsBind.address(), metricsPort)) {
            TrainerConfig config = configured;
            if (serveCheckpoints != null) {
                Files.createDirectories(configured.checkpoints().directory());
                server = serving.start(configured.checkpoints().directory(), serveCheckpoints, System.getenv());
                URI url = checkpointsUrl != null ? checkpointsUrl : CheckpointServingOptions.advertised(server);
                config = configured.withCheckpoints(configured.checkpoints().withAdvertisedUrl(url));
                System.out.printf("serving checkpoints at %s (bound to %s)%n", url, server.address());
            }
            TrainerService service = TrainerService.start(config, kafka.connection(), endpoints.registry());
            endpoints.addHealthCheck("trainer", service::health);
            endpoints.live().add(TopicWatch.start(kafka.connection(), TopicWatch.TRAINER, report -> ""));
            System.out.printf("trainer %s: %s -> checkpoints in %s, events on %s; model %s on %s; metrics and health on port %d; Ctrl-C stops%n",
                    config.runId(), config.topic(), config.checkpoints().directory().toAbsolutePath(),
                    Topics.CHECKPOINTS.name(), config.model().name(), config.device(), endpoints.port());
            System.out.flush();
            while (service.failure().isEmpty() && !signal.awaitStop(Duration.ofSeconds(1))) {
                // training on the service's thread
            }
            service.close();
            if (service.failure().isPresent()) {
                System.err.println("kclip: error: trainer stopped: " + service.failure().get());
                return 1;
            }
            return 0;
        } finally {
            if (server != null) {
                server.close();
            }
            signal.finished();
        }
    }
}
