package dev.kclip.trainer.data;

import java.util.List;

/**
 * A batch ready for the model, as plain arrays (the data pipeline knows nothing of the model or of DJL).
 *
 * @param size examples in the batch
 * @param pixels {@code [size, 3, S, S]} normalised pixels
 * @param tokens token ids and lengths
 * @param teacher {@code [size, teacherDim]} teacher vectors
 * @param softLabels {@code [size, concepts]} soft labels, padded with 0 for concepts newer than the label
 * @param conceptMask {@code [size]}: 1 where the soft label fits the classifier, 0 where it names concepts the
 *     classifier no longer has
 * @param ids the pair ids, in batch order
 */
public record PreparedBatch(int size, float[] pixels, StudentTokenizer.Tokens tokens, float[] teacher,
        float[] softLabels, int concepts, float[] conceptMask, List<String> ids) {
}
