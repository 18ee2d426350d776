package dev.kclip.concepts.kmeans;

import java.util.List;

/** The plain per-record loop: K direct squared differences per vector (the fallback and the baseline). */
final class ScalarKernel implements BatchKernel {

    @Override
    public void squaredDistances(List<float[]> rows, float[] geometry, double[] geometryNorms, int k, int dim,
            double[] out) {
        for (int r = 0; r < rows.size(); r++) {
            float[] x = rows.get(r);
            for (int c = 0; c < k; c++) {
                out[r * k + c] = VectorMath.squaredDistance(x, 0, geometry, c * dim, dim);
            }
        }
    }

    @Override
    public String name() {
        return "plain-java";
    }
}
