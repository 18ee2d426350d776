package dev.kclip.concepts.kmeans;

import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The mini-batch as one matrix product on the JDK Vector API: {@code d² = ‖x‖² + ‖c‖² − 2·x·c} with the dot
 * products computed in register blocks of 4 vectors × 4 centroids (16 accumulators of the widest lane count:
 * every loaded lane of x is used 4 times, every lane of c 4 times). Each (vector, centroid) dot product is summed
 * in the same order whatever block it falls in, so a vector's distances do not depend on the batch around it.
 * Loaded only when {@code jdk.incubator.vector} is present (see {@link BatchKernel#best()}).
 */
final class VectorKernel implements BatchKernel {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int BLOCK = 4;

    @Override
    public String name() {
        return "vector-api " + SPECIES.vectorBitSize() + "-bit";
    }

    @Override
    public void squaredDistances(List<float[]> rows, float[] geometry, double[] geometryNorms, int k, int dim,
            double[] out) {
        int n = rows.size();
        int r = 0;
        for (; r + BLOCK <= n; r += BLOCK) {
            float[] x0 = rows.get(r);
            float[] x1 = rows.get(r + 1);
            float[] x2 = rows.get(r + 2);
            float[] x3 = rows.get(r + 3);
            int c = 0;
            for (; c + BLOCK <= k; c += BLOCK) {
                block4x4(x0, x1, x2, x3, geometry, c, dim, out, r * k + c, k);
            }
            for (; c < k; c++) {
                out[r * k + c] = dot(x0, geometry, c * dim, dim);
                out[(r + 1) * k + c] = dot(x1, geometry, c * dim, dim);
                out[(r + 2) * k + c] = dot(x2, geometry, c * dim, dim);
                out[(r + 3) * k + c] = dot(x3, geometry, c * dim, dim);
            }
        }
        for (; r < n; r++) {
            float[] x = rows.get(r);
            for (int c = 0; c < k; c++) {
                out[r * k + c] = dot(x, geometry, c * dim, dim);
            }
        }
        // the dot products become squared distances; rounding can take a near-zero one below 0
        for (r = 0; r < n; r++) {
            double xx = dot(rows.get(r), rows.get(r), 0, dim);
            for (int c = 0; c < k; c++) {
                out[r * k + c] = Math.max(0, xx + geometryNorms[c] - 2 * out[r * k + c]);
            }
        }
    }

    /** {@code x · g[gOff..gOff+dim)}: one accumulator of the widest lane count, then the tail. */
    private static double dot(float[] x, float[] g, int gOff, int dim) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(dim);
        FloatVector acc = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j < bound; j += step) {
            acc = FloatVector.fromArray(SPECIES, x, j).fma(FloatVector.fromArray(SPECIES, g, gOff + j), acc);
        }
        return tail(acc.reduceLanes(VectorOperators.ADD), x, g, gOff, j, dim);
    }

    /** {@code sum} plus the products past the last full lane block, from component {@code from} on. */
    private static float tail(float sum, float[] x, float[] g, int gOff, int from, int dim) {
        for (int j = from; j < dim; j++) {
            sum += x[j] * g[gOff + j];
        }
        return sum;
    }

    private static void block4x4(float[] x0, float[] x1, float[] x2, float[] x3, float[] g, int c, int dim,
            double[] out, int o, int k) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(dim);
        int g0 = c * dim;
        int g1 = g0 + dim;
        int g2 = g1 + dim;
        int g3 = g2 + dim;
        FloatVector a00 = FloatVector.zero(SPECIES);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a22 = a00;
        FloatVector a23 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a32 = a00;
        FloatVector a33 = a00;
        int j = 0;
        for (; j < bound; j += step) {
            FloatVector c0 = FloatVector.fromArray(SPECIES, g, g0 + j);
            FloatVector c1 = FloatVector.fromArray(SPECIES, g, g1 + j);
            FloatVector c2 = FloatVector.fromArray(SPECIES, g, g2 + j);
            FloatVector c3 = FloatVector.fromArray(SPECIES, g, g3 + j);
            FloatVector v = FloatVector.fromArray(SPECIES, x0, j);
            a00 = v.fma(c0, a00);
            a01 = v.fma(c1, a01);
            a02 = v.fma(c2, a02);
            a03 = v.fma(c3, a03);
            v = FloatVector.fromArray(SPECIES, x1, j);
            a10 = v.fma(c0, a10);
            a11 = v.fma(c1, a11);
            a12 = v.fma(c2, a12);
            a13 = v.fma(c3, a13);
            v = FloatVector.fromArray(SPECIES, x2, j);
            a20 = v.fma(c0, a20);
            a21 = v.fma(c1, a21);
            a22 = v.fma(c2, a22);
            a23 = v.fma(c3, a23);
            v = FloatVector.fromArray(SPECIES, x3, j);
            a30 = v.fma(c0, a30);
            a31 = v.fma(c1, a31);
            a32 = v.fma(c2, a32);
            a33 = v.fma(c3, a33);
        }
        // reduced here, not in a helper: FloatVectors passed to a method that is not inlined would be boxed
        out[o] = tail(a00.reduceLanes(VectorOperators.ADD), x0, g, g0, j, dim);
        out[o + 1] = tail(a01.reduceLanes(VectorOperators.ADD), x0, g, g1, j, dim);
        out[o + 2] = tail(a02.reduceLanes(VectorOperators.ADD), x0, g, g2, j, dim);
        out[o + 3] = tail(a03.reduceLanes(VectorOperators.ADD), x0, g, g3, j, dim);
        out[o + k] = tail(a10.reduceLanes(VectorOperators.ADD), x1, g, g0, j, dim);
        out[o + k + 1] = tail(a11.reduceLanes(VectorOperators.ADD), x1, g, g1, j, dim);
        out[o + k + 2] = tail(a12.reduceLanes(VectorOperators.ADD), x1, g, g2, j, dim);
        out[o + k + 3] = tail(a13.reduceLanes(VectorOperators.ADD), x1, g, g3, j, dim);
        out[o + 2 * k] = tail(a20.reduceLanes(VectorOperators.ADD), x2, g, g0, j, dim);
        out[o + 2 * k + 1] = tail(a21.reduceLanes(VectorOperators.ADD), x2, g, g1, j, dim);
        out[o + 2 * k + 2] = tail(a22.reduceLanes(VectorOperators.ADD), x2, g, g2, j, dim);
        out[o + 2 * k + 3] = tail(a23.reduceLanes(VectorOperators.ADD), x2, g, g3, j, dim);
        out[o + 3 * k] = tail(a30.reduceLanes(VectorOperators.ADD), x3, g, g0, j, dim);
        out[o + 3 * k + 1] = tail(a31.reduceLanes(VectorOperators.ADD), x3, g, g1, j, dim);
        out[o + 3 * k + 2] = tail(a32.reduceLanes(VectorOperators.ADD), x3, g, g2, j, dim);
        out[o + 3 * k + 3] = tail(a33.reduceLanes(VectorOperators.ADD), x3, g, g3, j, dim);
    }
}
