package dev.kclip.teacher;

/**
 * The teacher's embedding of one caption.
 *
 * @param vector the pooled embedding
 * @param tokenCount tokens the model read (after truncation, special tokens included)
 * @param truncated true when the caption was longer than the model's context and was cut
 */
public record TeacherEmbedding(float[] vector, int tokenCount, boolean truncated) {
}
