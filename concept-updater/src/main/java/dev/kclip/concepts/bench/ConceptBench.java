package dev.kclip.concepts.bench;

import dev.kclip.concepts.job.ConceptJob;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.concepts.job.ConceptSinks;
import dev.kclip.concepts.job.RawEmbedding;
import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.Centroids;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.Kernel;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.AvroCodec;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Throughput of the concept model: records/s of the plain-Java per-record assignment (nearest concept + soft
 * label: the K·D per record the issue names), measured first as the baseline, then of the batched kernel (the same
 * labels for mini-batches of m records, one matrix product each), of the Flink job's one model operator (decode,
 * batch, label, mini-batch update, snapshot per update) and of the parallel path with P assigners, each as a ratio
 * to the baseline of the same D and K in the same run, with GFLOP/s (2·K·D per record) beside the kernel's own
 * figure on a square 1024³ product. The Flink runs start from a ready model (no
 * bootstrap) on a local MiniCluster, with bounded in-memory input and discarding sinks, after a warm-up job; their
 * time is Flink's net job run time, which includes scheduling and deploying the tasks (well under a second), which
 * the record counts are sized to amortise.
 */
public final class ConceptBench {

    private static final String TEACHER = "bench";
    /** m, the mini-batch size of the batched kernel and of the job (the default). */
    private static final int BATCH = ConceptSettings.defaults().batchSize();

    /** One measurement; {@code load} is the one-minute system load average when it ended. */
    public record Result(String path, int dim, int k, int parallelism, long records, double seconds, double load) {
        public double recordsPerSecond() {
            return records / seconds;
        }

        /** The assignment's arithmetic rate: 2·K·D floating-point operations per record. */
        public double gflops() {
            return recordsPerSecond() * 2.0 * k * dim / 1e9;
        }
    }

    /** Side of the square product that gives the kernel's own GFLOP/s. */
    static final int SQUARE = 1024;

    /**
     * What to measure.
     *
     * @param dims dimensions D
     * @param ks concept counts K
     * @param parallelisms P of the parallel path
     * @param seconds target duration of each Flink run (record counts come from the baseline rate)
     */
    public record Plan(List<Integer> dims, List<Integer> ks, List<Integer> parallelisms, double seconds) {
        public static Plan standard() {
            return new Plan(List.of(384, 4096), List.of(64, 256), List.of(1, 2), 6);
        }
    }

    private ConceptBench() {
    }

    public static void main(String[] args) throws Exception {
        run(Plan.standard(), System.out);
    }

    /**
     * Runs the plan, printing one line per measurement; returns them all. The baseline of each (D, K) is the best
     * of three one-second runs before and three after its Flink runs, so load from other processes on the machine
     * (the {@code load} column is the one-minute load average) disturbs it least.
     */
    public static List<Result> run(Plan plan, PrintStream out) throws Exception {
        List<Result> results = new ArrayList<>();
        // the first job in a JVM loads and compiles most of Flink; keep that out of the figures
        ConceptModel warmup = randomModel(8, 32, 3);
        flink(warmup, 20_000, 0);
        flink(warmup, 20_000, 1);
        double square = squareGflops();
        out.printf(Locale.ROOT, "batch kernel: %s; its %d×%d×%d product: %.1f GFLOP/s; mini-batch m = %d%n",
                Centroids.batchKernel(), SQUARE, SQUARE, SQUARE, square, BATCH);
        out.printf(Locale.ROOT, "%-22s %5s %4s %2s %9s %8s %12s %8s %7s %5s%n", "path", "D", "K", "P", "records",
                "seconds", "records/s", "ratio", "GFLOP/s", "load");
        for (int dim : plan.dims()) {
            for (int k : plan.ks()) {
                ConceptModel model = randomModel(k, dim, 7);
                List<float[]> pool = vectors(model, 512, 11);
                Result before = baseline(model, pool, 3);
                Result kernel = batched(model, pool, 3);
                long records = Math.max(2_000, Math.round(kernel.recordsPerSecond() * plan.seconds() / 2));
                List<Result> runs = new ArrayList<>();
                runs.add(flink(model, records, 0));
                for (int p : plan.parallelisms()) {
                    runs.add(flink(model, records, p));
                }
                Result after = baseline(model, pool, 3);
                Result baseline = before.recordsPerSecond() >= after.recordsPerSecond() ? before : after;
                print(out, baseline, baseline);
                results.add(baseline);
                print(out, kernel, baseline);
                results.add(kernel);
                for (Result r : runs) {
                    print(out, r, baseline);
                    results.add(r);
                }
            }
        }
        return results;
    }

    /** The plain-Java loop (prepare, K distances, soft label, nearest): the best of {@code repeats} 1 s runs. */
    static Result baseline(ConceptModel model, List<float[]> pool, int repeats) {
        long checksum = 0;
        int warmup = Math.max(2_000, 20_000_000 / (model.k() * model.dim()));
        for (int i = 0; i < warmup; i++) {
            checksum += model.label(pool.get(i % pool.size())).concept();
        }
        Result best = null;
        for (int r = 0; r < repeats; r++) {
            long records = 0;
            long start = System.nanoTime();
            long elapsed;
            do {
                for (int i = 0; i < 64; i++) {
                    checksum += model.label(pool.get((int) (records++ % pool.size()))).concept();
                }
                elapsed = System.nanoTime() - start;
            } while (elapsed < 1_000_000_000L);
            Result run = new Result("plain-java baseline", model.dim(), model.k(), 1, records, elapsed / 1e9, load());
            if (best == null || run.recordsPerSecond() > best.recordsPerSecond()) {
                best = run;
            }
        }
        keep(checksum);
        return best;
    }

    /**
     * The batched kernel: the same labels as the baseline for mini-batches of {@link #BATCH} prepared records, one
     * matrix product each; the best of {@code repeats} 1 s runs.
     */
    static Result batched(ConceptModel model, List<float[]> pool, int repeats) {
        List<List<float[]>> batches = new ArrayList<>();
        for (int from = 0; from + BATCH <= pool.size(); from += BATCH) {
            batches.add(pool.subList(from, from + BATCH).stream().map(model.distance()::prepare).toList());
        }
        long checksum = 0;
        Result best = null;
        // run 0 warms the JIT up and does not count
        for (int r = 0; r <= repeats; r++) {
            long records = 0;
            long start = System.nanoTime();
            long elapsed;
            do {
                List<float[]> batch = batches.get((int) (records / BATCH % batches.size()));
                checksum += model.labelPrepared(batch).get(BATCH - 1).concept();
                records += BATCH;
                elapsed = System.nanoTime() - start;
            } while (elapsed < 1_000_000_000L);
            Result run = new Result("batched kernel", model.dim(), model.k(), 1, records, elapsed / 1e9, load());
            if (r > 0 && (best == null || run.recordsPerSecond() > best.recordsPerSecond())) {
                best = run;
            }
        }
        keep(checksum);
        return best;
    }

    /** The kernel's own rate on a square product ({@link #SQUARE} vectors, centroids and dimensions), GFLOP/s. */
    static double squareGflops() {
        ConceptModel model = randomModel(SQUARE, SQUARE, 17);
        List<float[]> rows = vectors(model, SQUARE, 19);
        double[] out = new double[SQUARE * SQUARE];
        model.centroids().squaredDistances(rows, out);
        double best = 0;
        for (int r = 0; r < 5; r++) {
            long start = System.nanoTime();
            model.centroids().squaredDistances(rows, out);
            best = Math.max(best, 2.0 * SQUARE * SQUARE * SQUARE / (System.nanoTime() - start));
        }
        keep((long) out[7]);
        return best;
    }

    /** Keeps the JIT from dropping a measured loop as dead code. */
    private static void keep(long checksum) {
        if (checksum == Long.MIN_VALUE) {
            System.out.print("");
        }
    }

    /** The job on a local MiniCluster: assigners 0 = the single model operator, else the parallel path. */
    static Result flink(ConceptModel model, long records, int assigners) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        int parallelism = Math.max(1, assigners);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        List<byte[]> pool = new ArrayList<>();
        AvroCodec<EmbeddedPair> codec = AvroCodec.forClass(EmbeddedPair.class);
        int poolSize = model.dim() > 1_000 ? 256 : 1_024;
        List<float[]> vectors = vectors(model, poolSize, 13);
        for (int i = 0; i < vectors.size(); i++) {
            pool.add(codec.encode(pair(i, vectors.get(i))));
        }
        DataStream<RawEmbedding> input = env.fromSequence(0, records - 1)
                .map(new FromPool(pool), TypeInformation.of(RawEmbedding.class));
        CentroidSnapshot snapshot = CentroidSnapshots.of(model, TEACHER,
                LongStream.range(0, model.k()).boxed().toList(), List.of(), Instant.now());
        DataStream<CentroidSnapshot> feedback = assigners == 0 ? null
                : env.fromData(List.of(snapshot), TypeInformation.of(CentroidSnapshot.class));
        ConceptSettings settings = ConceptSettings.defaults()
                .withKMeans(KMeansSettings.defaults(model.k())).withAssigners(assigners);
        ConceptJob.build(input, feedback, settings, Map.of(TEACHER, snapshot), new ConceptSinks(new DiscardingSink<>(),
                new DiscardingSink<>(), new DiscardingSink<>(), new DiscardingSink<>()));
        // the job's own run time: from submission to the end of the last task (no client-side graph building)
        double seconds = env.execute("concepts-bench").getNetRuntime(TimeUnit.MILLISECONDS) / 1e3;
        return new Result(assigners == 0 ? "flink single operator" : "flink parallel path", model.dim(), model.k(),
                parallelism, records, seconds, load());
    }

    /** Cycles through pre-encoded records. */
    private static final class FromPool implements MapFunction<Long, RawEmbedding> {
        private static final long serialVersionUID = 1L;
        private final List<byte[]> pool;

        FromPool(List<byte[]> pool) {
            this.pool = pool;
        }

        @Override
        public RawEmbedding map(Long i) {
            return new RawEmbedding(null, pool.get((int) (i % pool.size())), "bench", 0, i);
        }
    }

    private static ConceptModel randomModel(int k, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] rows = new float[k][dim];
        for (float[] row : rows) {
            for (int j = 0; j < dim; j++) {
                row[j] = (float) gaussian(random);
            }
        }
        double[] weights = new double[k];
        java.util.Arrays.fill(weights, 100);
        return new ConceptModel(Centroids.of(rows, Distance.COSINE), weights, Kernel.GAUSSIAN, 0.2, 0.5, 1, 0, 0);
    }

    /** Vectors near random centroids of the model. */
    private static List<float[]> vectors(ConceptModel model, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] c = model.centroids().mean(random.nextInt(model.k()));
            float[] x = new float[c.length];
            for (int j = 0; j < x.length; j++) {
                x[j] = c[j] + (float) (0.5 * gaussian(random));
            }
            out.add(x);
        }
        return out;
    }

    private static EmbeddedPair pair(int i, float[] vector) {
        return pair(i, "bench caption " + i, vector);
    }

    /** A bench record: pair {@code bench-i} with this caption and embedding, at event time i ms. */
    static EmbeddedPair pair(int i, String caption, float[] vector) {
        ImageCaptionPair pair = ImageCaptionPair.newBuilder()
                .setId("bench-" + i).setCaption(caption)
                .setImage(ByteBuffer.wrap("img".getBytes(StandardCharsets.US_ASCII))).setMediaType("image/png")
                .setWidth(1).setHeight(1).setSource("bench").setLabel(null).setAttributes(Map.of())
                .setEventTime(Instant.ofEpochMilli(i)).setIngestTime(Instant.ofEpochMilli(i)).build();
        return EmbeddedPair.newBuilder().setPair(pair).setTeacherModelId(TEACHER)
                .setEmbedding(Float32Vectors.encode(vector)).setDim(vector.length).setTokenCount(3)
                .setTruncated(false).setEmbeddedTime(Instant.ofEpochMilli(i)).build();
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void print(PrintStream out, Result r, Result baseline) {
        out.printf(Locale.ROOT, "%-22s %5d %4d %2d %9d %8.2f %12.0f %8.3f %7.1f %5.1f%n", r.path(), r.dim(), r.k(),
                r.parallelism(), r.records(), r.seconds(), r.recordsPerSecond(),
                r.recordsPerSecond() / baseline.recordsPerSecond(), r.gflops(), r.load());
        out.flush();
    }
}
