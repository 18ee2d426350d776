package dev.kclip.teacher.service;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The llama2c test checkpoint, and a copy with a corrupted token row for dead-letter tests. */
final class TestCheckpoints {

    /** The byte whose token row {@link #withNanToken} corrupts: any caption containing it embeds to NaN. */
    static final char POISONED = 'X';

    private TestCheckpoints() {
    }

    static Path fixture() {
        try {
            return Path.of(TestCheckpoints.class.getResource("/llama2c-260k/model.bin").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A copy of the fixture in {@code dir} whose token-embedding row for the byte token of {@link #POISONED}
     * (id 3 + 'X') is NaN, as a damaged checkpoint would be: other captions embed exactly as with the original.
     */
    static Path withNanToken(Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(fixture());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int row = 3 + POISONED;
        for (int i = 0; i < 64; i++) {
            b.putFloat(28 + (row * 64 + i) * 4, Float.NaN);
        }
        Path file = dir.resolve("model-nan.bin");
        Files.write(file, bytes);
        return file;
    }
}
