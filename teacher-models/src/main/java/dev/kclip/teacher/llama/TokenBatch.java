package dev.kclip.teacher.llama;

import java.util.Arrays;
import java.util.List;

/**
 * Token sequences of different lengths packed for one forward pass: right-padded to the longest, rounded up to a
 * multiple of {@link #ALIGN}, so every real token keeps its position (0, 1, ...) and the padding only ever sits
 * where the attention mask hides it.
 *
 * <p>Why the rounding: PyTorch's CPU kernels take other floating-point paths for short or ragged dimensions (MKL
 * for fewer than 8 matrix rows or a partial row block, and for fewer than 16 keys; the vectorised softmax for a
 * row shorter than two vectors), so without it a caption's numbers would change in the last bits with the batch
 * it shares. With every length a multiple of 16, a caption gets the same result alone as in any batch.
 *
 * @param ids {@code size × length} ids, row-major; padding positions hold {@link #PAD}
 * @param lengths real tokens of each sequence
 * @param length the padded length (a multiple of {@link #ALIGN}, at least the longest sequence)
 */
public record TokenBatch(long[] ids, int[] lengths, int length) {

    /** Id written at padding positions: any valid id works, the mask hides them; 0 is valid in every vocabulary. */
    public static final long PAD = 0;
    /** The padded length is a multiple of this. */
    public static final int ALIGN = 16;

    /**
     * Packs {@code sequences} (each at least one token).
     *
     * @throws IllegalArgumentException for an empty list or an empty sequence
     */
    public static TokenBatch of(List<long[]> sequences) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one sequence");
        }
        int length = 0;
        int[] lengths = new int[sequences.size()];
        for (int b = 0; b < lengths.length; b++) {
            lengths[b] = sequences.get(b).length;
            if (lengths[b] == 0) {
                throw new IllegalArgumentException("sequence " + b + " of the batch has no tokens");
            }
            length = Math.max(length, lengths[b]);
        }
        length = align(length);
        long[] ids = new long[lengths.length * length];
        Arrays.fill(ids, PAD);
        for (int b = 0; b < lengths.length; b++) {
            System.arraycopy(sequences.get(b), 0, ids, b * length, lengths[b]);
        }
        return new TokenBatch(ids, lengths, length);
    }

    /** {@code length} rounded up to a multiple of {@link #ALIGN}. */
    public static int align(int length) {
        return (length + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Sequences in the batch. */
    public int size() {
        return lengths.length;
    }

    /** Padded positions the forward pass computes ({@code size × length}). */
    public long paddedTokens() {
        return (long) size() * length;
    }
}
