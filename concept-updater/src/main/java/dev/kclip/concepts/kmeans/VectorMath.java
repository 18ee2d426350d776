package dev.kclip.concepts.kmeans;

/** The two inner loops everything else is built on, unrolled so the JIT keeps four sums in flight. */
final class VectorMath {

    private VectorMath() {
    }

    /** {@code Σ (a[aOff+i] − b[bOff+i])²} for i in [0, n). */
    static double squaredDistance(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            float d0 = a[aOff + i] - b[bOff + i];
            float d1 = a[aOff + i + 1] - b[bOff + i + 1];
            float d2 = a[aOff + i + 2] - b[bOff + i + 2];
            float d3 = a[aOff + i + 3] - b[bOff + i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            float d = a[aOff + i] - b[bOff + i];
            s0 += d * d;
        }
        return (double) s0 + s1 + s2 + s3;
    }

    /** {@code Σ a[aOff+i]·b[bOff+i]} for i in [0, n). */
    static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (double) s0 + s1 + s2 + s3;
    }
}
