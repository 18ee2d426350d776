package dev.kclip.trainer.cli;

import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.metrics.ServiceEndpoints;
import dev.kclip.common.service.StopSignal;
import dev.kclip.schemas.Topics;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.TrainerService;
import dev.kclip.trainer.loop.TrainingSettings;
import dev.kclip.trainer.loss.DistillationLoss;
import dev.kclip.trainer.loss.LossWeights;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kclip train}: the continuous trainer in the foreground. */
@Command(name = "train", mixinStandardHelpOptions = true, subcommands = TrainBenchCommand.class,
        description = "Train the Knowledge-CLIP student continuously from kclip.train.examples, with checkpoints, until Ctrl-C.")
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--run-id", defaultValue = "kclip-trainer", paramLabel = "ID",
            description = "Training run: consumer group and key of its checkpoint events (default: ${DEFAULT-VALUE}).")
    String runId;

    @Option(names = "--topic", defaultValue = "kclip.train.examples", paramLabel = "TOPIC", description = "Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(names = "--model", defaultValue = "tiny", paramLabel = "NAME|FILE",
            description = "tiny, vit-b-32, or a JSON file overriding one (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--checkpoint-dir", defaultValue = ".kclip/checkpoints", paramLabel = "DIR",
            description = "Checkpoint store (default: ${DEFAULT-VALUE}).")
    Path checkpointDir;

    @Option(names = "--checkpoint-every-steps", defaultValue = "500", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}; 0 = not by steps.")
    long checkpointEverySteps;

    @Option(names = "--checkpoint-every-seconds", defaultValue = "600", paramLabel = "S", description = "Default: ${DEFAULT-VALUE}; 0 = not by time.")
    long checkpointEverySeconds;

    @Option(names = "--keep", defaultValue = "5", paramLabel = "N", description = "Newest checkpoints kept (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N", description = "Examples per step, replays included (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-wait-ms", defaultValue = "2000", paramLabel = "MS",
            description = "Longest an example waits for its batch to fill (default: ${DEFAULT-VALUE}).")
    long maxWaitMs;

    @Option(names = "--replay-share", defaultValue = "0.25", paramLabel = "F", description = "Share of each batch replayed (default: ${DEFAULT-VALUE}).")
    double replayShare;

    @Option(names = "--replay-capacity", defaultValue = "10000", paramLabel = "N", description = "Reservoir size (default: ${DEFAULT-VALUE}).")
    int replayCapacity;

    @Option(names = "--idle-replay-steps", defaultValue = "200", paramLabel = "N",
            description = "Replay-only steps per idle period of the stream (default: ${DEFAULT-VALUE}).")
    int idleReplaySteps;

    @Option(names = "--idle-after-seconds", defaultValue = "10", paramLabel = "S",
            description = "Seconds without new examples that count as idle (default: ${DEFAULT-VALUE}).")
    long idleAfterSeconds;

    @Option(names = "--held-out-share", defaultValue = "0.02", paramLabel = "F",
            description = "Share of examples (by id) kept out of training for evaluation (default: ${DEFAULT-VALUE}).")
    double heldOutShare;

    @Option(names = "--label-field", defaultValue = "label", paramLabel = "FIELD",
            description = "Zero-shot labels: the pair's label, or an attribute name (default: ${DEFAULT-VALUE}).")
    String labelField;

    @Option(names = "--lr", defaultValue = "5e-4", paramLabel = "RATE", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--warmup-steps", defaultValue = "100", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    long warmupSteps;

    @Option(names = "--alpha", defaultValue = "1.0", description = "Weight of the distillation loss (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--beta", defaultValue = "0.01", description = "Weight of the concept loss (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--gamma", defaultValue = "1.0", description = "Weight of the contrastive loss (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--distillation", defaultValue = "MSE", paramLabel = "MSE|COSINE", description = "Default: ${DEFAULT-VALUE}.")
    DistillationLoss.Kind distillation;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu", description = "Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--precision", paramLabel = "FP32|MIXED", description = "Default: MIXED on gpu, FP32 on cpu.")
    Precision precision;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--init-text-from-teacher", paramLabel = "SPEC",
            description = "Seed a new student's token embeddings from this teacher's embeddings of the vocabulary, e.g. onnx-minilm.")
    String textInitTeacher;

    @Option(names = "--init", defaultValue = TrainerConfig.NO_INIT, paramLabel = "DIR|none",
            description = "Start a new student from a pretrained CLIP: a Hugging Face CLIPModel directory (config.json,"
                    + " safetensors, tokenizer.json) or an open_clip one; ${DEFAULT-VALUE} = random weights.")
    String init;

    @Option(names = "--metrics-port", defaultValue = "9404", paramLabel = "PORT",
            description = "Port of /metrics and /health; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    /** The configuration these options describe. */
    TrainerConfig config() {
        if (!device.equals("cpu") && !device.equals("gpu")) {
            throw new IllegalArgumentException("--device must be cpu or gpu, not " + device);
        }
        TrainingSettings training = TrainingSettings.defaults()
                .withLossWeights(new LossWeights(alpha, beta, gamma))
                .withDistillation(distillation)
                .withLearningRate(learningRate, warmupSteps)
                .withSeed(seed)
                .withTextInitTeacher(textInitTeacher);
        TrainerConfig defaults = TrainerConfig.defaults(checkpointDir);
        TrainerConfig configured = defaults.withRunId(runId).withTopic(topic).withModel(ModelConfig.load(model)).withTraining(training)
                .withBatching(new TrainerConfig.Batching(batchSize, Duration.ofMillis(maxWaitMs)))
                .withReplay(new TrainerConfig.Replay(replayShare, replayCapacity, idleReplaySteps, Duration.ofSeconds(idleAfterSeconds)))
                .withHeldOut(new TrainerConfig.HeldOut(heldOutShare, defaults.heldOut().capacity(), labelField))
                .withCheckpoints(new TrainerConfig.Checkpointing(checkpointDir, checkpointEverySteps,
                        checkpointEverySeconds > 0 ? Duration.ofSeconds(checkpointEverySeconds) : null, keep))
                .withDevice(device.equals("gpu"), precision);
        return configured.withInit(init);
    }

    @Override
    public Integer call() throws InterruptedException {
        TrainerConfig config = config();
        StopSignal signal = StopSignal.onJvmShutdown("trainer", Duration.ofMinutes(2));
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("trainer", metricsPort)) {
            TrainerService service = TrainerService.start(config, kafka.connection(), endpoints.registry());
            endpoints.addHealthCheck("trainer", service::health);
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
            signal.finished();
        }
    }
}
