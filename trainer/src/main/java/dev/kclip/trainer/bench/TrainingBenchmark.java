package dev.kclip.trainer.bench;

import ai.djl.Device;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.LoadedDataset;
import dev.kclip.trainer.data.TrainingExample;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Training throughput (examples per second, full steps: decode and augment, tokenise, forward, backward, AdamW)
 * of one model configuration at several batch sizes, in one process, reported as ratios to the smallest batch.
 * Images come from a pairs file when one is given (emoji-64 by default), else are synthetic; teacher vectors and
 * soft labels are random (their values do not change the cost).
 *
 * <p>Run it with {@code kclip train bench} or its {@link #main}; {@code trainer/bench-gpu.sh} runs the GPU mode
 * ({@code --model vit-b-32 --device gpu}) on a CUDA machine.
 */
public final class TrainingBenchmark {

    /** What to measure. */
    public record Settings(ModelConfig model, List<Integer> batchSizes, int warmupSteps, int measuredSteps,
            boolean gpu, Precision precision, Path dataset, int teacherDim, int concepts) {
    }

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
        }
        return results;
    }

    private static void step(TrainingSession session, List<TrainingExample> pool, int batch, Random random) {
        List<TrainingExample> examples = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            examples.add(pool.get(random.nextInt(pool.size())));
        }
        try {
            session.train(examples, List.of());
        } catch (Exception e) {
            throw new IllegalStateException("benchmark step failed: " + e.getMessage(), e);
        }
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
     * {@code TrainingBenchmark [model] [batch sizes, comma-separated] [cpu|gpu] [fp32|mixed] [measured steps] [dataset]},
     * e.g. {@code tiny 8,16,32,64 cpu fp32 10 datasets/emoji-64/pairs.jsonl}.
     */
    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "tiny";
        List<Integer> batches = List.of(args.length > 1 ? args[1].split(",") : new String[] {"8", "16", "32", "64"})
                .stream().map(Integer::parseInt).toList();
        boolean gpu = args.length > 2 && args[2].equals("gpu");
        Precision precision = args.length > 3 ? Precision.valueOf(args[3].toUpperCase(Locale.ROOT)) : Precision.FP32;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        Path dataset = args.length > 5 ? Path.of(args[5]) : Path.of("datasets/emoji-64/pairs.jsonl");
        run(new Settings(ModelConfig.load(model), batches, 2, steps, gpu, precision, dataset, 384, 64), System.out);
    }
}
