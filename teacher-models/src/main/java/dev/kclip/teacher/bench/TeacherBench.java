package dev.kclip.teacher.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.kclip.teacher.Devices;
import dev.kclip.teacher.Pooling;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherOptions;
import dev.kclip.teacher.llama.Llama;
import dev.kclip.teacher.llama.LlamaConfig;
import dev.kclip.teacher.llama.LlamaWeights;
import dev.kclip.teacher.llama.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Teacher throughput, measured rather than asserted: captions/s and tokens/s against batch size, reported as ratios
 * to batch size 1 measured in the same run; and, for a Llama-2-7B-shaped model with random weights made directly on
 * a GPU, the achieved TFLOP/s (2 × matmul parameters × tokens / time) as a share of the card's peak.
 */
public final class TeacherBench {

    /** One batch size's measurement on real captions. */
    public record Throughput(String model, int batchSize, int captions, long tokens, double seconds) {
        public double captionsPerSecond() {
            return captions / seconds;
        }

        public double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    /** One batch size's measurement of the random-weight Llama forward pass. */
    public record Flops(int batchSize, int seqLen, double secondsPerForward, double flopsPerForward) {
        public double tflops() {
            return flopsPerForward / secondsPerForward / 1e12;
        }

        public double tokensPerSecond() {
            return batchSize * (double) seqLen / secondsPerForward;
        }
    }

    private static final String[] SUBJECTS = {"dog", "cat", "red apple", "police car", "old man", "small bird",
        "wooden boat", "mountain lake", "bowl of soup", "yellow taxi", "tall giraffe", "child", "bicycle", "violin"};
    private static final String[] ACTIONS = {"sitting on", "next to", "in front of", "running along", "under",
        "painted on", "floating above", "hidden behind"};
    private static final String[] PLACES = {"a wooden table", "the beach at sunset", "a crowded street",
        "a snowy field", "an old brick wall", "the kitchen counter", "a green meadow", "a rainy window"};

    private TeacherBench() {
    }

    /** {@code n} distinct, deterministic captions of 5 to 20 words, as image captions go. */
    public static List<String> captions(int n, long seed) {
        Random random = new Random(seed);
        List<String> captions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String caption = "a photo of a " + SUBJECTS[random.nextInt(SUBJECTS.length)] + " "
                    + ACTIONS[random.nextInt(ACTIONS.length)] + " " + PLACES[random.nextInt(PLACES.length)];
            if (random.nextBoolean()) {
                caption += ", with a " + SUBJECTS[random.nextInt(SUBJECTS.length)] + " in the background";
            }
            captions.add(caption + " #" + i);
        }
        return captions;
    }

    /**
     * Embeds all {@code captions} at each batch size (after one warm-up batch), straight through the teacher: no
     * Kafka, no cache.
     */
    public static List<Throughput> throughput(TeacherModel teacher, List<String> captions, int[] batchSizes) {
        List<Throughput> rows = new ArrayList<>();
        for (int batchSize : batchSizes) {
            teacher.embed(captions.subList(0, Math.min(batchSize, captions.size())));
            long tokens = 0;
            long started = System.nanoTime();
            for (int from = 0; from < captions.size(); from += batchSize) {
                for (TeacherEmbedding e : teacher.embed(captions.subList(from, Math.min(captions.size(), from + batchSize)))) {
                    tokens += e.tokenCount();
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            rows.add(new Throughput(teacher.modelId(), batchSize, captions.size(), tokens, seconds));
        }
        return rows;
    }

    /** A table of {@code rows} (one model), with ratios to the smallest batch size's row. */
    public static String throughputTable(List<Throughput> rows) {
        Throughput base = rows.stream().min((a, b) -> Integer.compare(a.batchSize(), b.batchSize())).orElseThrow();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s (%d captions, baseline batch %d)%n",
                base.model(), base.captions(), base.batchSize()));
        s.append(String.format(Locale.ROOT, "  %6s %12s %12s %10s%n", "batch", "captions/s", "tokens/s", "vs batch " + base.batchSize()));
        for (Throughput r : rows) {
            s.append(String.format(Locale.ROOT, "  %6d %12.1f %12.1f %9.2fx%n", r.batchSize(), r.captionsPerSecond(),
                    r.tokensPerSecond(), r.captionsPerSecond() / base.captionsPerSecond()));
        }
        return s.toString();
    }

    /**
     * A Llama of {@code shape} with random weights (normal, σ = 0.02; norms 1; classifier tied) created directly on
     * {@code device}: nothing is read or copied from the host. Float16 on a GPU, float32 on the CPU.
     */
    public static Llama randomLlama(LlamaConfig shape, Device device, long seed) {
        Devices.requireAvailable(device);
        DataType type = device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            manager.getEngine().setRandomSeed((int) seed);
            int dim = shape.dim();
            List<LlamaWeights.Layer> layers = new ArrayList<>();
            for (int l = 0; l < shape.nLayers(); l++) {
                layers.add(new LlamaWeights.Layer(
                        manager.ones(new Shape(dim), type),
                        random(manager, type, dim, dim), random(manager, type, shape.kvDim(), dim),
                        random(manager, type, shape.kvDim(), dim), random(manager, type, dim, dim),
                        manager.ones(new Shape(dim), type),
                        random(manager, type, shape.hiddenDim(), dim), random(manager, type, dim, shape.hiddenDim()),
                        random(manager, type, shape.hiddenDim(), dim)));
            }
            NDArray embedding = random(manager, type, shape.vocabSize(), dim);
            LlamaConfig tied = new LlamaConfig(dim, shape.hiddenDim(), shape.nLayers(), shape.nHeads(), shape.nKvHeads(),
                    shape.vocabSize(), shape.maxSeqLen(), shape.normEps(), shape.ropeTheta(), shape.ropeLayout(), true);
            return Llama.of(tied, new LlamaWeights(embedding, layers, manager.ones(new Shape(dim), type), embedding), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static NDArray random(NDManager manager, DataType type, long rows, long cols) {
        return manager.randomNormal(0f, 0.02f, new Shape(rows, cols), type);
    }

    /**
     * Times the embedding forward pass (all blocks, final norm, mean pooling, vectors back on the host) of
     * {@code model} on random tokens, {@code iterations} times per batch size after two warm-up passes.
     */
    public static List<Flops> forwardFlops(Llama model, int[] batchSizes, int seqLen, int iterations) {
        Random random = new Random(7);
        List<Flops> rows = new ArrayList<>();
        int length = TokenBatch.align(seqLen);
        double flopsPerToken = 2.0 * model.config().matmulParameters();
        for (int batchSize : batchSizes) {
            List<long[]> sequences = new ArrayList<>();
            for (int b = 0; b < batchSize; b++) {
                long[] ids = new long[length];
                for (int t = 0; t < length; t++) {
                    ids[t] = 3 + random.nextInt(model.config().vocabSize() - 3);
                }
                sequences.add(ids);
            }
            TokenBatch batch = TokenBatch.of(sequences);
            for (int i = 0; i < 2; i++) {
                pooledForward(model, batch);
            }
            long started = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                pooledForward(model, batch);
            }
            double seconds = (System.nanoTime() - started) / 1e9 / iterations;
            rows.add(new Flops(batchSize, length, seconds, flopsPerToken * batchSize * length));
        }
        return rows;
    }

    /** One forward pass ending in host memory, which waits for the device to finish. */
    private static float[] pooledForward(Llama model, TokenBatch batch) {
        try (NDManager scope = model.newScope()) {
            return Pooling.MEAN.pool(model.hiddenStates(scope, batch, model.config().nLayers()), batch.lengths()).toFloatArray();
        }
    }

    /** A table of {@code rows}, with each TFLOP/s as a share of {@code peakTflops}. */
    public static String flopsTable(LlamaConfig shape, List<Flops> rows, double peakTflops, String device) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "random Llama dim=%d layers=%d heads=%d/%d ffn=%d on %s: %,d matmul parameters, peak %.0f TFLOP/s%n",
                shape.dim(), shape.nLayers(), shape.nHeads(), shape.nKvHeads(), shape.hiddenDim(), device,
                shape.matmulParameters(), peakTflops));
        s.append(String.format(Locale.ROOT, "  %6s %6s %12s %12s %10s %8s%n", "batch", "tokens", "ms/forward", "tokens/s",
                "TFLOP/s", "of peak"));
        for (Flops r : rows) {
            s.append(String.format(Locale.ROOT, "  %6d %6d %12.2f %12.0f %10.1f %7.1f%%%n", r.batchSize(), r.seqLen(),
                    r.secondsPerForward() * 1e3, r.tokensPerSecond(), r.tflops(), 100 * r.tflops() / peakTflops));
        }
        return s.toString();
    }
}
