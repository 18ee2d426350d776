package dev.kclip.teacher;

/**
 * A caption as one teacher's tokenizer encoded it, made by {@link TeacherModel#tokenize} and fed back to the same
 * teacher's {@link TeacherModel#embedTokens}: a service prices a caption for a batch and embeds it from one
 * tokenisation instead of three.
 *
 * @param caption the caption
 * @param ids what the teacher feeds its model (its own layout), or null when it tokenises again in
 *     {@code embedTokens}; never to be changed
 * @param tokens tokens the model sees, special tokens included, after truncation ({@link TeacherModel#countTokens})
 * @param contentTokens tokens from the caption itself; zero means nothing to embed ({@link TeacherModel#contentTokens})
 * @param truncated whether the caption is longer than the model reads
 */
public record Tokenized(String caption, long[] ids, int tokens, int contentTokens, boolean truncated) {
}
