package dev.kclip.trainer.eval;

/** Row-vector helpers for the metrics (plain Java: evaluation sets are small). */
final class Similarity {

    private Similarity() {
    }

    static float[] normalized(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        float[] out = new float[v.length];
        if (norm == 0) {
            return out;
        }
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double cosine(float[] a, float[] b) {
        return dot(normalized(a), normalized(b));
    }

    /** Indexes of the {@code k} largest scores, best first (ties: lower index first). */
    static int[] topK(double[] scores, int k, int exclude) {
        int n = Math.min(k, scores.length - (exclude >= 0 ? 1 : 0));
        int[] best = new int[n];
        boolean[] taken = new boolean[scores.length];
        if (exclude >= 0) {
            taken[exclude] = true;
        }
        for (int r = 0; r < n; r++) {
            int arg = -1;
            for (int j = 0; j < scores.length; j++) {
                if (!taken[j] && (arg < 0 || scores[j] > scores[arg])) {
                    arg = j;
                }
            }
            best[r] = arg;
            taken[arg] = true;
        }
        return best;
    }

    /** Cosine scores of {@code query} against every row of {@code rows} (rows already normalised). */
    static double[] scores(float[] query, float[][] rows) {
        float[] q = normalized(query);
        double[] s = new double[rows.length];
        for (int j = 0; j < rows.length; j++) {
            s[j] = dot(q, rows[j]);
        }
        return s;
    }

    static float[][] normalizedRows(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = normalized(rows[i]);
        }
        return out;
    }
}
