package dev.kclip.teacher.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The llama2c-260k test vector (see src/test/resources/llama2c-260k/README.md): a real trained checkpoint and what
 * llama2.c's run.c computes on it.
 */
final class Llama2cFixture {

    static final int POSITIONS = 32;

    private Llama2cFixture() {
    }

    static Path modelFile() {
        try {
            return Path.of(Llama2cFixture.class.getResource("/llama2c-260k/model.bin").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode reference() {
        try {
            return new ObjectMapper().readTree(modelFile().resolveSibling("reference.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 201 ids of greedy decoding from BOS. */
    static long[] greedyIds(JsonNode reference) {
        JsonNode ids = reference.get("greedy_from_bos_token_ids");
        long[] out = new long[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i).asLong();
        }
        return out;
    }

    /** {@code field[p]} for p = 0..31, flattened. */
    static float[] perPosition(JsonNode reference, String field) {
        JsonNode rows = reference.get(field);
        int width = rows.get(0).size();
        float[] out = new float[rows.size() * width];
        for (int p = 0; p < rows.size(); p++) {
            for (int i = 0; i < width; i++) {
                out[p * width + i] = (float) rows.get(p).get(i).asDouble();
            }
        }
        return out;
    }

    static long[] prefix(long[] ids, int length) {
        return Arrays.copyOf(ids, length);
    }

    /** Every float of model.bin after the 7-int header. */
    static float[] weights() {
        try {
            byte[] bytes = Files.readAllBytes(modelFile());
            ByteBuffer b = ByteBuffer.wrap(bytes, 28, bytes.length - 28).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[(bytes.length - 28) / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
