package dev.kclip.concepts.sparkbench;

import dev.kclip.concepts.kmeans.BatchStatistics;
import dev.kclip.concepts.kmeans.Centroids;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Decay;
import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.kmeans.Kernel;
import dev.kclip.concepts.kmeans.Label;
import dev.kclip.concepts.kmeans.OnlineKMeans;
import dev.kclip.concepts.kmeans.OnlineSettings;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.clustering.StreamingKMeansModel;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;

/**
 * Spark MLlib's {@code StreamingKMeansModel.update} against the concept updater's update on the same data: D, K,
 * mini-batch m and the forgetting half-life (10,000 records, the job's default) the same, Euclidean distance (Spark's
 * only one). Spark runs in {@code local[2]} on pre-built, cached RDD batches of m records (2 partitions), so it
 * pays its per-batch job scheduling but no input; ours is one thread doing what the model operator does per batch:
 * label (nearest + soft label, one matrix product), sum per concept, fold in. Before timing, both fold the same 8
 * batches into the same start model and the largest centroid difference is printed: they compute the same thing.
 */
public final class SparkComparison {

    private static final double HALF_LIFE = 10_000;
    private static final int BATCHES = 16;

    private SparkComparison() {
    }

    /** Arguments: D, K, m, seconds per side (default 4096 64 256 10). */
    public static void main(String[] args) {
        int dim = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int m = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 10;
        float[][] centres = new float[k][];
        for (int c = 0; c < k; c++) {
            centres[c] = centre(c, dim);
        }
        List<List<float[]>> batches = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            List<float[]> batch = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                batch.add(vector(b * m + i, dim, k));
            }
            batches.add(batch);
        }
        double[] weights = new double[k];
        Arrays.fill(weights, 100);
        ConceptModel start = new ConceptModel(Centroids.of(centres, Distance.EUCLIDEAN), weights, Kernel.GAUSSIAN,
                dim * 0.25, dim, 1, 0, 0);
        OnlineSettings online = new OnlineSettings(Decay.halfLifeRecords(HALF_LIFE), 1e-3, 42);
        double decayFactor = Math.pow(0.5, 1 / HALF_LIFE); // Spark's a per point: a^m = 0.5^(m/h), as ours

        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("kclip-spark-bench")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            spark.setLogLevel("WARN");
            // each executor makes its partition's vectors from their index (the same as `batches`), so no task
            // carries data (parallelize of the vectors themselves would ship 4 MB in every task of every update)
            List<JavaRDD<Vector>> rdds = new ArrayList<>();
            for (int b = 0; b < BATCHES; b++) {
                int first = b * m;
                List<Integer> indices = IntStream.range(first, first + m).boxed().toList();
                JavaRDD<Vector> rdd = spark.parallelize(indices, 2).map(i -> toSpark(vector(i, dim, k))).cache();
                rdd.count();
                rdds.add(rdd);
            }

            // the same 8 batches into the same start model on both sides
            StreamingKMeansModel sparkModel = sparkModel(start);
            ConceptModel ours = start;
            for (int b = 0; b < 8; b++) {
                sparkModel = sparkModel.update(rdds.get(b).rdd(), decayFactor, "points");
                ours = update(ours, batches.get(b), online);
            }
            double maxDiff = 0;
            for (int c = 0; c < k; c++) {
                double[] s = sparkModel.clusterCenters()[c].toArray();
                float[] o = ours.centroids().mean(c);
                for (int j = 0; j < dim; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(s[j] - o[j]));
                }
            }

            StreamingKMeansModel timedSpark = sparkModel(start);
            for (int b = 0; b < 4; b++) {
                timedSpark = timedSpark.update(rdds.get(b).rdd(), decayFactor, "points");
            }
            long sparkRecords = 0;
            long t0 = System.nanoTime();
            for (int b = 0; System.nanoTime() - t0 < seconds * 1e9; b++) {
                timedSpark = timedSpark.update(rdds.get(b % rdds.size()).rdd(), decayFactor, "points");
                sparkRecords += m;
            }
            double sparkSeconds = (System.nanoTime() - t0) / 1e9;

            ConceptModel timedOurs = start;
            for (int b = 0; b < 40; b++) {
                timedOurs = update(timedOurs, batches.get(b % batches.size()), online);
            }
            long ourRecords = 0;
            long t1 = System.nanoTime();
            for (int b = 0; System.nanoTime() - t1 < seconds * 1e9; b++) {
                timedOurs = update(timedOurs, batches.get(b % batches.size()), online);
                ourRecords += m;
            }
            double ourSeconds = (System.nanoTime() - t1) / 1e9;

            double sparkRate = sparkRecords / sparkSeconds;
            double ourRate = ourRecords / ourSeconds;
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            System.out.printf(Locale.ROOT, "D=%d K=%d m=%d half-life %.0f records; same 8 batches: largest centroid "
                    + "difference %.2e%n", dim, k, m, HALF_LIFE, maxDiff);
            System.out.printf(Locale.ROOT, "%-44s %10s %8s %12s %7s %5s%n", "update", "records", "seconds",
                    "records/s", "ratio", "load");
            System.out.printf(Locale.ROOT, "%-44s %10d %8.2f %12.0f %7.2f %5.1f%n",
                    "spark " + spark.version() + " StreamingKMeansModel.update local[2]", sparkRecords, sparkSeconds,
                    sparkRate, 1.0, load);
            System.out.printf(Locale.ROOT, "%-44s %10d %8.2f %12.0f %7.2f %5.1f%n",
                    "kclip label+sums+update, 1 thread (" + Centroids.batchKernel() + ")", ourRecords, ourSeconds,
                    ourRate, ourRate / sparkRate, load);
        }
    }

    /** What the model operator does with one mini-batch: label it, sum per concept, fold it in. */
    private static ConceptModel update(ConceptModel model, List<float[]> batch, OnlineSettings online) {
        List<Label> labels = model.labelPrepared(batch);
        BatchStatistics sums = new BatchStatistics(model.k(), model.dim());
        for (int i = 0; i < batch.size(); i++) {
            sums.add(labels.get(i).concept(), batch.get(i), 0);
        }
        return OnlineKMeans.update(model, sums, online).model();
    }

    private static StreamingKMeansModel sparkModel(ConceptModel model) {
        Vector[] centres = new Vector[model.k()];
        for (int c = 0; c < model.k(); c++) {
            centres[c] = toSpark(model.centroids().mean(c));
        }
        return new StreamingKMeansModel(centres, model.weights());
    }

    /** Centre {@code c}: a standard Gaussian vector from its own seed. */
    private static float[] centre(int c, int dim) {
        SplittableRandom random = new SplittableRandom(7_000 + c);
        float[] x = new float[dim];
        for (int j = 0; j < dim; j++) {
            x[j] = (float) gaussian(random);
        }
        return x;
    }

    /** Data vector {@code i}: a random centre plus Gaussian noise of σ 0.5, from its own seed. */
    private static float[] vector(int i, int dim, int k) {
        SplittableRandom random = new SplittableRandom(1_000_003L * i + 11);
        float[] x = centre(random.nextInt(k), dim);
        for (int j = 0; j < dim; j++) {
            x[j] += (float) (0.5 * gaussian(random));
        }
        return x;
    }

    private static Vector toSpark(float[] x) {
        double[] v = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            v[j] = x[j];
        }
        return Vectors.dense(v);
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
