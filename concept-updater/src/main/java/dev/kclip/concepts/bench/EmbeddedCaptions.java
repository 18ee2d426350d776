package dev.kclip.concepts.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Captions with their teacher embeddings, read from the drift fixture ({@code emoji64-minilm.bin.gz} in the
 * module's test resources, written by {@code MakeEmojiEmbeddings.java} beside it): gzip of int count, int dim,
 * then per caption UTF category, UTF caption, float scale and dim signed bytes (value = byte · scale).
 */
public final class EmbeddedCaptions {

    /** One caption of a category and its embedding. */
    public record Caption(String category, String caption, float[] vector) {
    }

    private EmbeddedCaptions() {
    }

    /** Reads a fixture file. */
    public static List<Caption> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    /** Reads a fixture from a stream (gzip). */
    public static List<Caption> read(InputStream gzip) throws IOException {
        DataInputStream in = new DataInputStream(new GZIPInputStream(gzip));
        int count = in.readInt();
        int dim = in.readInt();
        List<Caption> captions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String category = in.readUTF();
            String caption = in.readUTF();
            float scale = in.readFloat();
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = in.readByte() * scale;
            }
            captions.add(new Caption(category, caption, v));
        }
        return captions;
    }
}
