package dev.kclip.trainer.bench;

import ai.djl.Device;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.LoadedDataset;
import dev.kclip.common.files.Directories;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.DecodedImages;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.TrainingSession;
import dev.kclip.trainer.loop.TrainingSettings;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Training throughput (examples per second, full steps: decode and augment, tokenise, forward, backward, AdamW)
 * of one model configuration at several batch sizes, in one process, reported as ratios to the smallest batch.
 * Images come from a pairs file when one is given (emoji-64 by default), else are synthetic; teacher vectors and
 * soft labels are random (their values do not change the cost). The sweep prepares batches as the on-thread path
 * does (every image decoded at each use, on the training thread).
 *
 * <p>Then, in the same process and on the same session, at one batch size: that on-thread path (the baseline)
 * against the decoded-image cache alone and against the cache with prefetch workers, rounds alternating so a
 * loaded machine slows all alike; and the cost of a checkpoint (the held-out evaluation and the write, fsync
 * included) with its share of the time between two checkpoints at the default cadence.
 *
 * <p>Run it with {@code kclip train bench} or its {@link #main}; {@code trainer/bench-gpu.sh} runs the GPU mode
 * ({@code --model vit-b-32 --device gpu}) on a CUDA machine.
 */
public final class TrainingBenchmark {

    /**
     * What to measure.
     *
     * @param compareBatch batch size of the preparation comparison (0: none)
     * @param prefetchWorkers workers of its prefetch mode
     */
    public record Settings(ModelConfig model, List<Integer> batchSizes, int warmupSteps, int measuredSteps,
            boolean gpu, Precision precision, Path dataset, int teacherDim, int concepts, int compareBatch,
            int prefetchWorkers) {
    }

    /** How batches are prepared in the comparison. */
    public enum Preparation {
        /** Every image decoded at each use, augmented on the training thread (before the cache and prefetch). */
        ON_THREAD,
        /** Images decoded once (on arrival, to validate them) and kept; augmented on the training thread. */
        DECODED_CACHE,
        /** Kept images, and the next batch's fresh examples augmented by the workers while a step trains. */
        CACHE_AND_PREFETCH
    }

    /** Examples per second of each preparation, measured in alternating rounds. */
    public record Comparison(int batchSize, Map<Preparation, Double> examplesPerSecond) {
        /** A preparation's examples/s over the on-thread path's. */
        public double ratio(Preparation p) {
            return examplesPerSecond.get(p) / examplesPerSecond.get(Preparation.ON_THREAD);
        }
    }

    /** A checkpoint's cost: held-out evaluation and write (mean of several), bytes written, share of the cadence. */
    public record CheckpointCost(int heldOut, double evaluationMillis, double writeMillis, long bytes,
            Duration cadence) {
        /** Share of the time between two checkpoints at {@code cadence} that a checkpoint takes. */
        public double share() {
            return (evaluationMillis + writeMillis) / cadence.toMillis();
        }
    }

    /** Measured rounds of the comparison: each preparation measured this many times, in turn. */
    private static final int ROUNDS = 3;
    /** Checkpoints written to time one. */
    private static final int CHECKPOINT_WRITES = 3;

    /** One batch size's figures. */
    public record Result(int batchSize, double examplesPerSecond, double millisPerStep) {
    }

    private TrainingBenchmark() {
    }

    public static List<Result> run(Settings s, PrintStream out) {
        List<TrainingExample> pool = examples(s);
        ModelConfig config = s.model().withData(s.teacherDim(), s.concepts());
        Device device = s.gpu() ? Device.gpu() : Device.cpu();
        out.printf(Locale.ROOT, "model %s on %s (%s): image %d, vision %dx%d, text %dx%d; %d warm-up + %d measured steps%n",
                config.name(), device, s.precision(), config.imageSize(), config.visionWidth(), config.visionLayers(),
                config.textWidth(), config.textLayers(), s.warmupSteps(), s.measuredSteps());
        List<Result> results = new ArrayList<>();
        try (TrainingSession session = TrainingSession.create(config, TrainingSettings.defaults(), device, s.precision())) {
            for (int batch : s.batchSizes()) {
                Random random = new Random(batch);
                for (int i = 0; i < s.warmupSteps(); i++) {
                    step(session, pool, batch, random);
                }
                long start = System.nanoTime();
                for (int i = 0; i < s.measuredSteps(); i++) {
                    step(session, pool, batch, random);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                Result r = new Result(batch, batch * s.measuredSteps() / seconds, seconds * 1000 / s.measuredSteps());
                results.add(r);
                out.printf(Locale.ROOT, "batch %4d: %8.1f examples/s, %8.1f ms/step, %5.2fx the examples/s of batch %d%n",
                        batch, r.examplesPerSecond(), r.millisPerStep(),
                        r.examplesPerSecond() / results.get(0).examplesPerSecond(), results.get(0).batchSize());
            }
            if (s.compareBatch() > 0) {
                compare(session, pool, s, out);
                checkpointCost(session, pool, out);
            }
        }
        return results;
    }

    /**
     * The three preparations at {@code s.compareBatch()}, fresh and replayed shares as the stream trainer's defaults.
     * Every example is decoded once before the rounds, as the trainer validates it on arrival; the on-thread path
     * discards that decode, the others keep it. Leaves the session preparing as the trainer does (cache and prefetch).
     */
    static Comparison compare(TrainingSession session, List<TrainingExample> pool, Settings s, PrintStream out) {
        int batch = s.compareBatch();
        int fresh = TrainerConfig.defaults(Path.of("unused")).withBatching(new TrainerConfig.Batching(batch,
                Duration.ofSeconds(1))).freshPerBatch();
        DecodedImages kept = new DecodedImages(TrainerConfig.Batching.DEFAULT_DECODED_CACHE_MB * DecodedImages.MB);
        try {
            for (TrainingExample e : pool) {
                kept.of(e);
            }
        } catch (InvalidExampleException e) {
            throw new IllegalStateException("benchmark image does not decode: " + e.getMessage(), e);
        }
        Map<Preparation, Double> seconds = new EnumMap<>(Preparation.class);
        Random random = new Random(batch * 31L);
        for (int round = -1; round < ROUNDS; round++) {
            for (Preparation p : Preparation.values()) {
                session.preparingWith(p == Preparation.ON_THREAD ? new DecodedImages(0) : kept,
                        p == Preparation.CACHE_AND_PREFETCH ? s.prefetchWorkers() : 0);
                int steps = round < 0 ? s.warmupSteps() : s.measuredSteps();
                List<List<TrainingExample>> batches = new ArrayList<>();
                for (int i = 0; i <= steps; i++) {
                    batches.add(draw(pool, batch, random));
                }
                long start = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    step(session, batches.get(i), batches.get(i + 1).subList(0, fresh));
                }
                if (round >= 0) {
                    seconds.merge(p, (System.nanoTime() - start) / 1e9, Double::sum);
                }
            }
        }
        // the trainer's way from here on: the checkpoint's evaluation finds its held-out images decoded
        session.preparingWith(kept, s.prefetchWorkers());
        Map<Preparation, Double> perSecond = new EnumMap<>(Preparation.class);
        seconds.forEach((p, t) -> perSecond.put(p, batch * s.measuredSteps() * ROUNDS / t));
        Comparison c = new Comparison(batch, perSecond);
        out.printf(Locale.ROOT, "preparation at batch %d (%d fresh, %d of %d images kept, %d rounds of %d steps):%n",
                batch, fresh, kept.size(), pool.size(), ROUNDS, s.measuredSteps());
        for (Preparation p : Preparation.values()) {
            out.printf(Locale.ROOT, "  %-18s %8.1f examples/s, %5.2fx on-thread%s%n", p, perSecond.get(p), c.ratio(p),
                    p == Preparation.CACHE_AND_PREFETCH ? " (" + s.prefetchWorkers() + " workers)" : "");
        }
        return c;
    }

    /** A checkpoint as the trainer writes one: the held-out evaluation, then weights and optimizer state, fsync'ed. */
    static CheckpointCost checkpointCost(TrainingSession session, List<TrainingExample> pool, PrintStream out) {
        TrainerConfig defaults = TrainerConfig.defaults(Path.of("unused"));
        List<TrainingExample> heldOut = pool.subList(0, Math.min(pool.size(), defaults.heldOut().capacity()));
        try {
            long start = System.nanoTime();
            session.evaluate(heldOut, null);
            double evaluation = (System.nanoTime() - start) / 1e6;
            Path directory = Files.createTempDirectory("kclip-bench-checkpoints");
            try {
                CheckpointStore store = new CheckpointStore(directory, CHECKPOINT_WRITES, null);
                CheckpointManifest manifest = CheckpointManifest.builder().runId("bench").step(session.step())
                        .counts(0, 0, 0, 0).model(session.config()).training(session.settings().toJson())
                        .teacherModelId("benchmark").concepts(1, null).optimizer(session.step(), session.lossScale())
                        .createdTime(Instant.now().toString()).build();
                long bytes = 0;
                start = System.nanoTime();
                for (int i = 0; i < CHECKPOINT_WRITES; i++) {
                    StoredCheckpoint stored = store.write(manifest, session.checkpointFiles());
                    bytes = stored.manifest().files().values().stream().mapToLong(CheckpointManifest.FileDigest::bytes).sum();
                }
                double write = (System.nanoTime() - start) / 1e6 / CHECKPOINT_WRITES;
                CheckpointCost cost = new CheckpointCost(heldOut.size(), evaluation, write, bytes,
                        defaults.checkpoints().every());
                out.printf(Locale.ROOT, "checkpoint: evaluation of %d held-out %.0f ms, write %.0f ms (%.1f MB, fsync'ed);"
                        + " %.1f%% of the %d s between checkpoints (%.1f%% without the evaluation)%n", cost.heldOut(),
                        cost.evaluationMillis(), cost.writeMillis(), cost.bytes() / 1e6, 100 * cost.share(),
                        cost.cadence().toSeconds(), 100 * cost.writeMillis() / cost.cadence().toMillis());
                return cost;
            } finally {
                Directories.deleteRecursively(directory);
            }
        } catch (IOException | InvalidExampleException e) {
            throw new IllegalStateException("benchmark checkpoint failed: " + e.getMessage(), e);
        }
    }

    private static List<TrainingExample> draw(List<TrainingExample> pool, int batch, Random random) {
        List<TrainingExample> examples = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            examples.add(pool.get(random.nextInt(pool.size())));
        }
        return examples;
    }

    private static void step(TrainingSession session, List<TrainingExample> examples, List<TrainingExample> upcoming) {
        try {
            session.train(examples, List.of(), upcoming);
        } catch (Exception e) {
            throw new IllegalStateException("benchmark step failed: " + e.getMessage(), e);
        }
    }

    private static void step(TrainingSession session, List<TrainingExample> pool, int batch, Random random) {
        step(session, draw(pool, batch, random), List.of());
    }

    private static List<TrainingExample> examples(Settings s) {
        Random random = new Random(1);
        List<TrainingExample> pool = new ArrayList<>();
        if (s.dataset() != null && Files.isRegularFile(s.dataset())) {
            for (LoadedDataset.Pair p : LoadedDataset.load(new JsonlReader(), s.dataset()).pairs()) {
                pool.add(example(p.id(), p.caption(), p.image(), s, random));
            }
            return pool;
        }
        for (int i = 0; i < 256; i++) {
            pool.add(example("synthetic-" + i, "a synthetic picture number " + i, syntheticImage(s.model().imageSize(), random), s, random));
        }
        return pool;
    }

    private static TrainingExample example(String id, String caption, byte[] image, Settings s, Random random) {
        float[] teacher = new float[s.teacherDim()];
        for (int i = 0; i < teacher.length; i++) {
            teacher[i] = (float) random.nextGaussian() / (float) Math.sqrt(teacher.length);
        }
        float[] label = new float[s.concepts()];
        label[random.nextInt(label.length)] = 1f;
        return new TrainingExample(id, caption, image, null, teacher, "benchmark", label, 1, new long[0], null);
    }

    private static byte[] syntheticImage(int size, Random random) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int i = 0; i < 8; i++) {
            g.setColor(new Color(random.nextInt(0xFFFFFF)));
            g.fillOval(random.nextInt(size), random.nextInt(size), 1 + random.nextInt(size / 2), 1 + random.nextInt(size / 2));
        }
        g.dispose();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code TrainingBenchmark [model] [batch sizes, comma-separated] [cpu|gpu] [fp32|mixed] [measured steps] [dataset]
     * [comparison batch] [prefetch workers]}, e.g. {@code tiny 8,16,32,64 cpu fp32 10 datasets/emoji-64/pairs.jsonl 64 1}.
     */
    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "tiny";
        List<Integer> batches = List.of(args.length > 1 ? args[1].split(",") : new String[] {"8", "16", "32", "64"})
                .stream().map(Integer::parseInt).toList();
        boolean gpu = args.length > 2 && args[2].equals("gpu");
        Precision precision = args.length > 3 ? Precision.valueOf(args[3].toUpperCase(Locale.ROOT)) : Precision.FP32;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        Path dataset = args.length > 5 ? Path.of(args[5]) : Path.of("datasets/emoji-64/pairs.jsonl");
        int compareBatch = args.length > 6 ? Integer.parseInt(args[6]) : 64;
        int workers = args.length > 7 ? Integer.parseInt(args[7]) : TrainerConfig.Batching.DEFAULT_PREFETCH_WORKERS;
        run(new Settings(ModelConfig.load(model), batches, 2, steps, gpu, precision, dataset, 384, 64, compareBatch,
                workers), System.out);
    }
}
