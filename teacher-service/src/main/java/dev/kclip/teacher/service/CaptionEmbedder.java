package dev.kclip.teacher.service;

import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, caption by caption, what a batch of captions becomes: a teacher vector (computed, or reused from the
 * {@link EmbeddingCache} or from an identical caption in the same batch), or a {@link RejectReason}. Plain logic,
 * no Kafka: the service wires records through it.
 *
 * <p>A caption the teacher cannot embed must not stop the stream, but a broken teacher must not send every record
 * to the dead-letter topic either. So when a batch fails, its captions are retried one at a time; those that fail
 * alone are rejected, unless the teacher also fails on a known-good caption, which is a {@link TeacherFailure}.
 */
public final class CaptionEmbedder {

    /** A caption known to embed with every teacher, to tell a bad caption from a broken teacher. */
    static final String PROBE_CAPTION = "a photo of a cat";

    /** What became of one caption. */
    public sealed interface Outcome permits Embedded, Rejected {
    }

    /** @param reused true when no forward pass was spent on it (cache or a duplicate in the batch) */
    public record Embedded(TeacherEmbedding embedding, boolean reused) implements Outcome {
    }

    public record Rejected(RejectReason reason, String message) implements Outcome {
    }

    /** Whether a caption may join a batch, and what it costs there. */
    public record Admission(int tokens, Rejected rejected) {
    }

    /** The teacher fails even on a known-good caption: nothing can be embedded until it is fixed. */
    public static final class TeacherFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TeacherFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final TeacherModel teacher;
    private final EmbeddingCache cache;
    private long reused;
    private long computed;

    public CaptionEmbedder(TeacherModel teacher, EmbeddingCache cache) {
        this.teacher = teacher;
        this.cache = cache;
    }

    public TeacherModel teacher() {
        return teacher;
    }

    /**
     * Tokenises {@code caption} to price it for a batch, rejecting it when nothing of it survives tokenisation.
     * Cached captions cost nothing (they will not reach the model).
     */
    public Admission admit(String caption) {
        if (cache.get(teacher.modelId(), caption) != null) {
            return new Admission(0, null);
        }
        try {
            if (teacher.contentTokens(caption) == 0) {
                return new Admission(0, new Rejected(RejectReason.EMPTY_AFTER_TOKENIZATION,
                        "caption of " + caption.length() + " characters has no tokens for " + teacher.modelId()));
            }
            return new Admission(teacher.countTokens(caption), null);
        } catch (RuntimeException e) {
            return new Admission(0, new Rejected(RejectReason.EMBEDDING_FAILED, "tokenizer failed: " + e.getMessage()));
        }
    }

    /**
     * One outcome per caption, in order. Identical captions are computed once.
     *
     * @throws TeacherFailure when the teacher cannot embed anything
     */
    public List<Outcome> embed(List<String> captions) {
        Outcome[] outcomes = new Outcome[captions.size()];
        Map<String, List<Integer>> toCompute = new LinkedHashMap<>();
        for (int i = 0; i < captions.size(); i++) {
            String caption = captions.get(i);
            TeacherEmbedding cached = cache.get(teacher.modelId(), caption);
            if (cached != null) {
                outcomes[i] = new Embedded(cached, true);
                reused++;
            } else {
                toCompute.computeIfAbsent(caption, c -> new ArrayList<>()).add(i);
            }
        }
        List<String> unique = new ArrayList<>(toCompute.keySet());
        List<Outcome> results = compute(unique);
        for (int u = 0; u < unique.size(); u++) {
            Outcome result = results.get(u);
            List<Integer> indexes = toCompute.get(unique.get(u));
            if (result instanceof Embedded e) {
                cache.put(teacher.modelId(), unique.get(u), e.embedding());
            }
            for (int k = 0; k < indexes.size(); k++) {
                boolean duplicate = k > 0 && result instanceof Embedded;
                outcomes[indexes.get(k)] = duplicate ? new Embedded(((Embedded) result).embedding(), true) : result;
                if (duplicate) {
                    reused++;
                }
            }
        }
        return List.of(outcomes);
    }

    /** Captions embedded without a forward pass of their own (cache hits and duplicates within a batch). */
    public long reused() {
        return reused;
    }

    /** Captions the teacher computed. */
    public long computed() {
        return computed;
    }

    /** {@link #reused()} over all captions embedded so far: the cache's hit rate. */
    public double hitRate() {
        long all = reused + computed;
        return all == 0 ? 0 : (double) reused / all;
    }

    private List<Outcome> compute(List<String> unique) {
        if (unique.isEmpty()) {
            return List.of();
        }
        try {
            List<TeacherEmbedding> embeddings = teacher.embed(unique);
            computed += unique.size();
            return embeddings.stream().map(this::check).toList();
        } catch (RuntimeException batchFailure) {
            return computeOneByOne(unique, batchFailure);
        }
    }

    private List<Outcome> computeOneByOne(List<String> unique, RuntimeException batchFailure) {
        List<Outcome> results = new ArrayList<>(unique.size());
        boolean anyEmbedded = false;
        for (String caption : unique) {
            try {
                results.add(check(teacher.embed(List.of(caption)).get(0)));
                computed++;
                anyEmbedded = true;
            } catch (RuntimeException e) {
                results.add(new Rejected(RejectReason.EMBEDDING_FAILED, "teacher failed on this caption: " + e.getMessage()));
            }
        }
        if (!anyEmbedded) {
            try {
                teacher.embed(List.of(PROBE_CAPTION));
            } catch (RuntimeException e) {
                throw new TeacherFailure("teacher " + teacher.modelId() + " fails on every caption: " + e.getMessage(), batchFailure);
            }
        }
        return results;
    }

    private Outcome check(TeacherEmbedding e) {
        float[] v = e.vector();
        int bad = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                bad++;
            }
        }
        if (bad > 0) {
            return new Rejected(RejectReason.NAN_EMBEDDING, bad + " of " + v.length + " values are NaN or infinite");
        }
        if (v.length != teacher.dimension()) {
            return new Rejected(RejectReason.EMBEDDING_FAILED, "vector has " + v.length + " values, the teacher declares "
                    + teacher.dimension());
        }
        return new Embedded(e, false);
    }
}
