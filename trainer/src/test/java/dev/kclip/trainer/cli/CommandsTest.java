package dev.kclip.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.kclip.common.cli.Cli;
import dev.kclip.common.cli.EnvironmentDefaults;
import dev.kclip.trainer.checkpoint.CheckpointFollower;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.eval.AccuracyMatrix;
import dev.kclip.trainer.eval.BucketAccuracy;
import dev.kclip.trainer.eval.ContinualMetrics;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.TrainingSession;
import dev.kclip.trainer.loop.TrainingSessionTest;
import dev.kclip.trainer.loop.TrainingSettings;
import dev.kclip.trainer.loss.DistillationLoss;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands parse into the right configuration and work on a real checkpoint. */
class CommandsTest {

    @Test
    void trainCheckpointsEvery20SecondsAndPreparesImagesAheadByDefault() {
        TrainerConfig defaults = new TrainCommand().config();
        assertEquals(Duration.ofSeconds(20), defaults.checkpoints().every());
        assertEquals(1, defaults.batching().prefetchWorkers());
        assertEquals(256L * 1024 * 1024, defaults.batching().decodedCacheBytes());
        TrainCommand onThread = new TrainCommand();
        new CommandLine(onThread).parseArgs("--prefetch-workers", "0", "--decoded-cache-mb", "64");
        assertEquals(new TrainerConfig.Batching(64, Duration.ofSeconds(2), 0, 64L * 1024 * 1024),
                onThread.config().batching());
    }

    @Test
    void trainOptionsBecomeTheTrainerConfig() {
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs("--run-id", "r1", "--model", "vit-b-32", "--batch-size", "128",
                "--alpha", "0", "--distillation", "COSINE", "--replay-share", "0.5", "--checkpoint-every-seconds", "0",
                "--device", "gpu:1", "--init-text-from-teacher", "onnx-minilm", "--max-wait-ms", "250");
        TrainerConfig c = command.config();
        assertEquals("r1", c.runId());
        assertEquals("vit-b-32", c.model().name());
        assertEquals(new TrainerConfig.Batching(128, Duration.ofMillis(250)), c.batching());
        assertEquals(0.0, c.training().lossWeights().alpha());
        assertEquals(0.01, c.training().lossWeights().beta());
        assertEquals(DistillationLoss.Kind.COSINE, c.training().distillation());
        assertEquals(64, c.freshPerBatch());
        assertNull(c.checkpoints().every());
        assertEquals(Device.gpu(1), c.device(), "--device gpu:N picks the card");
        assertEquals(Precision.MIXED, c.effectivePrecision());
        assertEquals("onnx-minilm", c.training().textInitTeacher());
        assertNull(c.model().pretrained(), "no --init: random weights");
        assertEquals(TrainerConfig.Bucketing.NONE, c.heldOut().buckets(), "no buckets unless asked");
        TrainCommand wrong = new TrainCommand();
        new CommandLine(wrong).parseArgs("--device", "tpu");
        assertThrows(IllegalArgumentException.class, wrong::config);
        TrainCommand byCategory = new TrainCommand();
        new CommandLine(byCategory).parseArgs("--bucket-field", "category");
        assertEquals(TrainerConfig.Bucketing.byField("category"), byCategory.config().heldOut().buckets());
        TrainCommand byArrival = new TrainCommand();
        new CommandLine(byArrival).parseArgs("--bucket-every", "500");
        assertEquals("every 500 examples", byArrival.config().heldOut().buckets().describe());
        TrainCommand both = new TrainCommand();
        new CommandLine(both).parseArgs("--bucket-every", "500", "--bucket-field", "category");
        assertThrows(IllegalArgumentException.class, both::config);
    }

    @Test
    void initNamesThePretrainedClipTheModelIsShapedAfter() throws Exception {
        Path clip = Path.of(CommandsTest.class.getResource("/clip-fixture/hf").toURI());
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs("--init", clip.toString(), "--model", "tiny");
        TrainerConfig c = command.config();
        assertEquals(clip.toString(), c.model().pretrained());
        assertEquals(clip.resolve("tokenizer.json").toString(), c.model().tokenizer());
        assertEquals(32, c.model().imageSize());
        assertEquals(ModelConfig.tiny().projector(), c.model().projector());
        assertEquals(TrainingSettings.FINE_TUNING_LEARNING_RATE, c.training().learningRate(), "a pretrained start fine-tunes");
        TrainCommand explicit = new TrainCommand();
        new CommandLine(explicit).parseArgs("--init", clip.toString(), "--lr", "3e-4");
        assertEquals(3e-4, explicit.config().training().learningRate(), "an explicit --lr wins");
        TrainCommand none = new TrainCommand();
        new CommandLine(none).parseArgs("--init", "none");
        assertEquals(ModelConfig.tiny(), none.config().model());
        assertEquals(TrainingSettings.defaults().learningRate(), none.config().training().learningRate());
        TrainCommand missing = new TrainCommand();
        new CommandLine(missing).parseArgs("--init", clip.resolve("no-such-dir").toString());
        assertThrows(IllegalArgumentException.class, missing::config);
    }

    @Test
    void withoutOptionsTrainUsesTheConfigDefaultsWhichTheEnvironmentOverrides() {
        TrainCommand command = new TrainCommand();
        CommandLine line = new CommandLine(command);
        line.parseArgs();
        assertEquals(TrainerConfig.defaults(Path.of(".kclip", "checkpoints")), command.config());
        assertTrue(line.getUsageMessage().contains("(default: 64)"), "the help shows the config's batch size");
        assertTrue(line.getUsageMessage().replaceAll("\\s+", " ").contains("(default: 5e-4 from random weights, 5e-5 from --init"),
                line.getUsageMessage());

        TrainCommand fromEnvironment = new TrainCommand();
        new CommandLine(fromEnvironment).setDefaultValueProvider(new EnvironmentDefaults(Map.of(
                "KCLIP_BATCH_SIZE", "32", "KCLIP_CHECKPOINT_EVERY_SECONDS", "0"))).parseArgs();
        assertEquals(32, fromEnvironment.config().batching().batchSize());
        assertNull(fromEnvironment.config().checkpoints().every());
        assertEquals(TrainerConfig.defaults(Path.of("x")).replay(), fromEnvironment.config().replay());
    }

    /** Bucket a learnt at the first checkpoint (0.6), b at the second (0.5), a down to 0.4 by then. */
    private static final AccuracyMatrix MATRIX = new AccuracyMatrix("field category", List.of("a", "b"), List.of(
            new AccuracyMatrix.Row(1, "a", Map.of("a", 4L), Map.of("a", new BucketAccuracy(2, 2, 0.6, 0.6))),
            new AccuracyMatrix.Row(2, "b", Map.of("a", 4L, "b", 4L),
                    Map.of("a", new BucketAccuracy(2, 2, 0.4, 0.4), "b", new BucketAccuracy(2, 2, 0.5, 0.5)))));

    @Test
    void exportReadsTheStoreTrainWritesUnlessTold() {
        CheckpointsCommand.ExportCommand export = new CheckpointsCommand.ExportCommand();
        new CommandLine(export).parseArgs("1", "--to", "out");
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs();
        assertEquals(train.config().checkpoints().directory(), export.store);
        CheckpointsCommand.ExportCommand fromEnvironment = new CheckpointsCommand.ExportCommand();
        new CommandLine(fromEnvironment).setDefaultValueProvider(new EnvironmentDefaults(Map.of(
                "KCLIP_STORE", "/data/store"))).parseArgs("1", "--to", "out");
        assertEquals(Path.of("/data/store"), fromEnvironment.store);
    }

    @Test
    void signingAndFollowingOptionsReachTheirSettings() {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs("--signing-key-file", "/etc/kclip/key");
        assertEquals(Path.of("/etc/kclip/key"), train.config().checkpoints().signingKeyFile());
        TrainCommand unsigned = new TrainCommand();
        new CommandLine(unsigned).parseArgs();
        assertNull(unsigned.config().checkpoints().signingKeyFile());
        CheckpointsCommand.FollowCommand follow = new CheckpointsCommand.FollowCommand();
        new CommandLine(follow).parseArgs("--to", "out");
        assertEquals(CheckpointFollower.DEFAULT_MAX_VERSION_JUMP, follow.maxVersionJump);
        assertEquals(1, Cli.execute(new CheckpointsCommand(), "follow", "--to", "out", "--max-version-jump", "0"),
                "a jump bound below 1 is a user error");
    }

    @Test
    void servingAndHttpFollowingOptionsReachTheirSettings() {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs("--checkpoints-url", "https://trainer.example:8470/");
        assertEquals(java.net.URI.create("https://trainer.example:8470/"), train.config().checkpoints().advertisedUrl());
        TrainCommand local = new TrainCommand();
        new CommandLine(local).parseArgs();
        assertNull(local.config().checkpoints().advertisedUrl(), "events keep the file: location");
        assertEquals("127.0.0.1", local.serving.bind, "served to this machine only unless told");

        CheckpointsCommand.ServeCommand serve = new CheckpointsCommand.ServeCommand();
        new CommandLine(serve).setDefaultValueProvider(new EnvironmentDefaults(Map.of(
                "KCLIP_CHECKPOINTS_BIND", "0.0.0.0"))).parseArgs("--dir", "store");
        assertEquals("0.0.0.0", serve.serving.bind);
        assertEquals(dev.kclip.trainer.checkpoint.CheckpointServer.DEFAULT_PORT, serve.port);
        assertEquals(1, Cli.execute(new CheckpointsCommand(), "serve", "--dir", "does-not-exist"), "no store");
        assertEquals(1, Cli.execute(new CheckpointsCommand(), "follow", "--to", "out", "--from", "ftp://elsewhere/"),
                "--from is a directory or an http(s) URL");
    }

    @Test
    void listExportAndEvalWorkOnAStoredCheckpoint(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        CheckpointStore checkpoints = new CheckpointStore(store, 3);
        try (TrainingSession session = TrainingSession.create(TrainingSessionTest.small(),
                TrainingSettings.defaults(), Device.cpu(), Precision.FP32)) {
            session.train(TrainingSessionTest.examples(4), List.of());
            checkpoints.write(CheckpointManifest.builder().runId("run").step(1).counts(4, 4, 0, 0)
                    .model(session.model().config()).training(session.settings().toJson()).losses(Map.of("total", 3.0))
                    .metrics(Map.of("teacher_cosine", 0.25, "replay_share", 0.25, "replay_capacity", 100.0,
                            "replay_reservoir_size", 4.0, "examples_replayed", 0.0))
                    .teacherModelId("onnx-minilm").concepts(1, null)
                    .continual(MATRIX, ContinualMetrics.of(MATRIX)).replayPolicy("reservoir")
                    .optimizer(1, 1.0).createdTime("2026-01-01T00:00:00Z").build(), session.checkpointFiles());
        }
        String list = run(new CheckpointsCommand(), "list", "--store", store.toString());
        assertTrue(list.contains("teacher_cosine=0.250") && list.contains("yes"), list);

        Path export = dir.resolve("export");
        run(new CheckpointsCommand(), "export", "1", "--store", store.toString(), "--to", export.toString());
        assertTrue(Files.exists(export.resolve("model.safetensors")) && Files.exists(export.resolve("config.json")));
        assertEquals(1, Cli.execute(new CheckpointsCommand(), "export", "7", "--store", store.toString(), "--to", export.toString()),
                "a missing version is a user error");
        Path latest = Files.createSymbolicLink(store.resolve("latest"), Path.of("v000001"));
        run(new CheckpointsCommand(), "export", latest.toString(), "--to", dir.resolve("via-latest").toString());
        assertTrue(Files.exists(dir.resolve("via-latest").resolve("model.safetensors")), "a link to a version beside it");
        Path away = Files.createSymbolicLink(store.resolve("away"), store.resolve("v000001"));
        assertEquals(1, Cli.execute(new CheckpointsCommand(), "export", away.toString(), "--to", dir.resolve("x").toString()),
                "an absolute link is not followed, even to a checkpoint");

        // every 40th emoji, so several categories are present; image paths made absolute, one line broken
        Path images = Path.of("../datasets/emoji-64").toAbsolutePath();
        List<String> lines = Files.readAllLines(images.resolve("pairs.jsonl"));
        StringBuilder subset = new StringBuilder();
        for (int i = 0; i < lines.size(); i += 40) {
            subset.append(lines.get(i).replace("\"images/", "\"" + images.resolve("images") + "/")).append('\n');
        }
        subset.append("{\"image\": \"broken\n");
        Path dataset = dir.resolve("subset.jsonl");
        Files.writeString(dataset, subset);
        String eval = run(new EvalCommand(), "--checkpoint", store.resolve("v000001").toString(),
                "--dataset", dataset.toString(), "--labels-field", "category", "--teacher", "none", "--allow-outside-root");
        assertTrue(eval.contains("zero_shot_top1") && eval.contains("image_to_text_r10") && eval.contains("examples    "),
                eval.replace('\n', '|'));
        assertTrue(eval.contains("48 pairs evaluated, skipped 1: 1 malformed line"), eval.replace('\n', '|'));
        assertTrue(eval.contains("checkpoint's continual evaluation (field category, 2 buckets, 2 checkpoints): "
                + "in-domain 55.0% (2 buckets), backward transfer -20.0 points"), eval.replace('\n', '|'));
        assertTrue(eval.contains("replay: reservoir, 25% of each batch, capacity 100 (holding 4), 0 examples replayed"),
                eval.replace('\n', '|'));
        String byBucket = run(new EvalCommand(), "--checkpoint", store.resolve("v000001").toString(),
                "--dataset", dataset.toString(), "--labels-field", "category", "--bucket-field", "category",
                "--teacher", "none", "--allow-outside-root");
        List<String> bucketLines = byBucket.lines().filter(l -> l.contains(" top-1 ") && l.contains(" balanced ")).toList();
        long classes = lines.stream().filter(l -> lines.indexOf(l) % 40 == 0)
                .map(l -> l.replaceAll(".*\"category\": \"([^\"]*)\".*", "$1")).distinct().count();
        assertEquals(classes, bucketLines.size(), "one line per category: " + byBucket.replace('\n', '|'));
        assertTrue(byBucket.contains("zero-shot per category (each among all " + classes + " classes)"), byBucket);
        assertEquals(48, bucketLines.stream().mapToInt(l -> Integer.parseInt(l.replaceAll(".*\\((\\d+) images\\)", "$1")))
                .sum(), "every pair in one bucket");
        assertEquals(1, Cli.execute(new EvalCommand(), "--checkpoint", store.resolve("v000001").toString(),
                "--dataset", dataset.toString(), "--teacher", "none"),
                "images outside the dataset's folder are refused without --allow-outside-root: nothing left to evaluate");
    }

    private static String run(Object command, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Cli.execute(command, args), () -> out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
