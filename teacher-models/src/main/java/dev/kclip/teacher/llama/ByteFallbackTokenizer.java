package dev.kclip.teacher.llama;

import java.nio.charset.StandardCharsets;

/**
 * BOS, then one token per UTF-8 byte of the caption. SentencePiece vocabularies trained with byte fallback (Llama 2's
 * and llama2.c's) reserve ids 3..258 for the bytes 0x00..0xFF, so this is a valid, if long, encoding for them. Used
 * when a checkpoint comes without a {@code tokenizer.json} (llama2.c ships its own {@code tokenizer.bin} format).
 */
public final class ByteFallbackTokenizer implements LlamaTokenizer {

    /** Id of the first byte token, {@code <0x00>}. */
    public static final int FIRST_BYTE_ID = 3;
    /** Smallest vocabulary that holds every byte token. */
    public static final int MIN_VOCAB = FIRST_BYTE_ID + 256;

    private final long bosId;

    /**
     * @param bosId the beginning-of-sequence id (1 in Llama vocabularies)
     * @param vocabSize the model's vocabulary, which must hold the byte tokens
     */
    public ByteFallbackTokenizer(long bosId, int vocabSize) {
        if (vocabSize < MIN_VOCAB) {
            throw new IllegalArgumentException("a vocabulary of " + vocabSize + " tokens has no byte tokens (ids 3..258); "
                    + "put the model's tokenizer.json beside it");
        }
        this.bosId = bosId;
    }

    @Override
    public long[] encode(String caption) {
        byte[] bytes = caption.getBytes(StandardCharsets.UTF_8);
        long[] ids = new long[bytes.length + 1];
        ids[0] = bosId;
        for (int i = 0; i < bytes.length; i++) {
            ids[i + 1] = FIRST_BYTE_ID + (bytes[i] & 0xFF);
        }
        return ids;
    }

    @Override
    public int specialTokens() {
        return 1;
    }

    @Override
    public boolean prependsBos() {
        return true;
    }

    @Override
    public String describe() {
        return "UTF-8 byte tokens";
    }

    @Override
    public void close() {
    }
}
