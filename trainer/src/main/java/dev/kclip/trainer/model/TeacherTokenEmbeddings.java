package dev.kclip.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Starts the text encoder's token embedding from the teacher's knowledge: row v is the teacher's embedding of
 * token v's text, projected to the text width by a fixed random orthonormal projection and scaled to unit length.
 *
 * <p>Why: the paper fine-tunes a pretrained CLIP, whose text encoder already knows words. This student starts
 * from nothing, and a token never seen in a caption would keep a random embedding forever; zero-shot prompts
 * ("a photo of a {label}") are made of exactly such words. Seeding the vocabulary from the teacher gives every
 * token a meaningful start. The trainer then keeps the table fixed (so tokens no caption contains stay in the
 * same coordinates as those that do) and trains the layers above it. Optional
 * ({@code kclip train --init-text-from-teacher SPEC}).
 */
public final class TeacherTokenEmbeddings {

    /** The weight this seeds. */
    public static final String PARAMETER = "text.token_embedding";
    private static final int BATCH = 256;

    private TeacherTokenEmbeddings() {
    }

    /**
     * The token table for a vocabulary.
     *
     * @param tokenTexts the text of each token id
     * @param teacher embeds a batch of strings (one vector per string, all of one dimension)
     * @param width the text encoder's width
     * @param seed seeds the projection
     * @return {@code [tokenTexts.length][width]}
     */
    public static float[][] compute(String[] tokenTexts, Function<List<String>, List<float[]>> teacher, int width, long seed) {
        float[][] projection = null;
        float[][] table = new float[tokenTexts.length][];
        for (int from = 0; from < tokenTexts.length; from += BATCH) {
            List<String> batch = Arrays.asList(tokenTexts).subList(from, Math.min(tokenTexts.length, from + BATCH))
                    .stream().map(t -> t.isBlank() ? "[UNK]" : t).toList();
            List<float[]> vectors = teacher.apply(batch);
            if (projection == null) {
                projection = orthonormalRows(width, vectors.get(0).length, seed);
            }
            for (int i = 0; i < vectors.size(); i++) {
                table[from + i] = unit(project(projection, vectors.get(i)));
            }
        }
        return table;
    }

    /** Writes {@code table} into the model's {@code text.token_embedding} (rows beyond the table are left as they are). */
    public static void apply(StudentModel model, float[][] table) {
        NDArray weights = model.parameters().get(PARAMETER).getArray();
        int rows = (int) weights.getShape().get(0);
        int width = (int) weights.getShape().get(1);
        float[] values = weights.toFloatArray();
        for (int v = 0; v < Math.min(rows, table.length); v++) {
            if (table[v].length != width) {
                throw new IllegalArgumentException("token table has width " + table[v].length + ", the model " + width);
            }
            System.arraycopy(table[v], 0, values, v * width, width);
        }
        weights.set(values);
    }

    /** {@code rows} orthonormal vectors of dimension {@code dim} (Gram-Schmidt on Gaussian draws); needs rows ≤ dim. */
    static float[][] orthonormalRows(int rows, int dim, long seed) {
        if (rows > dim) {
            // more student width than teacher dimensions: repeat the basis blocks, each independently rotated
            float[][] out = new float[rows][];
            for (int start = 0; start < rows; start += dim) {
                float[][] block = orthonormalRows(Math.min(dim, rows - start), dim, seed + start);
                System.arraycopy(block, 0, out, start, block.length);
            }
            return out;
        }
        Random random = new Random(seed);
        float[][] basis = new float[rows][dim];
        for (int r = 0; r < rows; r++) {
            double[] v = new double[dim];
            for (int i = 0; i < dim; i++) {
                v[i] = random.nextGaussian();
            }
            for (int q = 0; q < r; q++) {
                double dot = 0;
                for (int i = 0; i < dim; i++) {
                    dot += v[i] * basis[q][i];
                }
                for (int i = 0; i < dim; i++) {
                    v[i] -= dot * basis[q][i];
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < dim; i++) {
                basis[r][i] = (float) (v[i] / norm);
            }
        }
        return basis;
    }

    private static float[] project(float[][] projection, float[] x) {
        float[] y = new float[projection.length];
        for (int r = 0; r < projection.length; r++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += projection[r][i] * x[i];
            }
            y[r] = (float) s;
        }
        return y;
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = norm == 0 ? 0 : (float) (v[i] / norm);
        }
        return out;
    }
}
