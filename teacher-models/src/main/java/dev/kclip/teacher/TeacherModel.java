package dev.kclip.teacher;

import java.util.ArrayList;
import java.util.List;

/**
 * A frozen text encoder whose caption embeddings the student distils from (Llama 2 in the paper). Implementations
 * are selected by a model spec string, see {@link TeacherModels}.
 *
 * <p>Not thread-safe unless stated: one service thread owns a teacher.
 */
public interface TeacherModel extends AutoCloseable {

    /**
     * Stable identifier recorded with every embedding, e.g. {@code onnx-minilm} or
     * {@code llama2c:model.bin#mean,no-bos}: it names the vectors' space, so it changes whenever they would.
     */
    String modelId();

    /** Length of every vector {@link #embed} returns. */
    int dimension();

    /** Longest token sequence the model reads; longer captions are truncated (and flagged). */
    int maxTokens();

    /** Number of tokens the model would see for {@code caption} (after truncation), for batching by tokens. */
    int countTokens(String caption);

    /**
     * Tokens that come from the caption itself, leaving out the special tokens the model adds (BOS, [CLS], [SEP]).
     * Zero means there is nothing to embed, e.g. an empty or whitespace-only caption.
     */
    default int contentTokens(String caption) {
        return countTokens(caption);
    }

    /**
     * Embeds a batch of captions in one forward pass.
     *
     * @return one embedding per caption, in order
     */
    List<TeacherEmbedding> embed(List<String> captions);

    /**
     * Tokenises {@code caption} once, for {@link #embedTokens}. May run on another thread than {@link #embed} and
     * {@link #embedTokens}, at the same time. The default counts with {@link #countTokens} and
     * {@link #contentTokens} and carries no ids; teachers override it to carry their ids.
     */
    default Tokenized tokenize(String caption) {
        return new Tokenized(caption, null, countTokens(caption), contentTokens(caption), false);
    }

    /**
     * Embeds captions this teacher {@link #tokenize tokenised}, in one forward pass: the same vectors
     * {@link #embed} gives for their captions, without tokenising again.
     *
     * @return one embedding per caption, in order
     */
    default List<TeacherEmbedding> embedTokens(List<Tokenized> captions) {
        return embed(captions.stream().map(Tokenized::caption).toList());
    }

    /** Captions per forward pass in {@link #vectors}: a CPU-friendly batch for offline work. */
    int OFFLINE_BATCH = 64;

    /**
     * The vector of every caption, in order, embedded {@link #OFFLINE_BATCH} at a time: for offline work over a whole
     * list (evaluation, pretraining, benchmarks), where a single forward pass would be too large.
     */
    default List<float[]> vectors(List<String> captions) {
        List<float[]> vectors = new ArrayList<>(captions.size());
        for (int from = 0; from < captions.size(); from += OFFLINE_BATCH) {
            for (TeacherEmbedding e : embed(captions.subList(from, Math.min(captions.size(), from + OFFLINE_BATCH)))) {
                vectors.add(e.vector());
            }
        }
        return vectors;
    }

    /** Releases native memory. */
    @Override
    void close();
}
