package dev.kclip.concepts.kmeans;

import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Squared distances of a mini-batch of prepared vectors to K centroids at once. {@link #best()} is the JDK Vector
 * API kernel ({@code VectorKernel}: one blocked matrix product {@code ‖x‖² + ‖c‖² − 2·x·cᵀ}) when the JVM runs
 * with {@code --add-modules jdk.incubator.vector}, else {@link ScalarKernel}, the plain per-record loop (which is
 * also the benchmark's baseline and the reference the tests compare against).
 */
interface BatchKernel {

    /**
     * Writes d² from each of {@code rows} (prepared, length {@code dim}) to each centroid into {@code out}, row-major
     * ({@code out[r·K + c]}).
     *
     * @param geometry the centroids as distances see them, K·D row-major
     * @param geometryNorms ‖c‖² of each of those rows
     */
    void squaredDistances(List<float[]> rows, float[] geometry, double[] geometryNorms, int k, int dim,
            double[] out);

    /** What the benchmark prints for this kernel. */
    String name();

    /** The fastest kernel this JVM can run (chosen once). */
    static BatchKernel best() {
        return Selected.KERNEL;
    }

    /** Holder: loads the Vector API kernel only when its module is there, so the class is never linked without it. */
    final class Selected {
        static final BatchKernel KERNEL = select();

        private Selected() {
        }

        private static BatchKernel select() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
                try {
                    return (BatchKernel) Class.forName("dev.kclip.concepts.kmeans.VectorKernel")
                            .getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException | LinkageError e) {
                    LoggerFactory.getLogger(BatchKernel.class).warn("Vector API kernel unavailable ({}); "
                            + "assigning with the plain-Java loop", e.toString());
                }
            } else {
                LoggerFactory.getLogger(BatchKernel.class).info("JVM started without --add-modules "
                        + "jdk.incubator.vector: assigning with the plain-Java loop (several times slower)");
            }
            return new ScalarKernel();
        }
    }
}
