package dev.kclip.teacher.service;

import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.Tokenized;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
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
 *
 * <p>{@link #admit} may run on one thread while {@link #embedAdmitted} runs on another (the service's model
 * thread); each of the two on one thread at a time.
 */
public final class CaptionEmbedder {

    /** A caption known to embed with every teacher, to tell a bad caption from a broken teacher. */
    static final String PROBE_CAPTION = "a photo of a cat";
    /**
     * What one more forward pass costs, in padded tokens: a batch's captions, sorted by length, are split into
     * passes only where that saves more padding than this (a long caption no longer pads all the short ones).
     */
    static final long PASS_OVERHEAD_TOKENS = 512;

    /** What became of one caption. */
    public sealed interface Outcome permits Embedded, Rejected {
    }

    /** @param reused true when no forward pass was spent on it (cache or a duplicate in the batch) */
    public record Embedded(TeacherEmbedding embedding, boolean reused) implements Outcome {
    }

    public record Rejected(RejectReason reason, String message) implements Outcome {
    }

    /**
     * Whether a caption may join a batch, and what it costs there.
     *
     * @param tokenized the caption tokenised for the forward pass; null when the cache held it then (or rejected)
     */
    public record Admission(String caption, Tokenized tokenized, Rejected rejected) {
        /** Tokens the caption costs in a forward pass: 0 when it will not reach the model. */
        public int tokens() {
            return tokenized == null || rejected != null ? 0 : tokenized.tokens();
        }
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
    /** Written by the embedding thread only, read by the metrics. */
    private volatile long reused;
    private volatile long computed;

    public CaptionEmbedder(TeacherModel teacher, EmbeddingCache cache) {
        this.teacher = teacher;
        this.cache = cache;
    }

    public TeacherModel teacher() {
        return teacher;
    }

    /**
     * Tokenises {@code caption} once, to price it for a batch and to embed it later, rejecting it when nothing of it
     * survives tokenisation. Cached captions are not tokenised and cost nothing (they will not reach the model).
     */
    public Admission admit(String caption) {
        if (cache.get(teacher.modelId(), caption) != null) {
            return new Admission(caption, null, null);
        }
        try {
            Tokenized tokenized = teacher.tokenize(caption);
            if (tokenized.contentTokens() == 0) {
                return new Admission(caption, null, new Rejected(RejectReason.EMPTY_AFTER_TOKENIZATION,
                        "caption of " + caption.length() + " characters has no tokens for " + teacher.modelId()));
            }
            return new Admission(caption, tokenized, null);
        } catch (RuntimeException e) {
            return new Admission(caption, null, new Rejected(RejectReason.EMBEDDING_FAILED, "tokenizer failed: " + e.getMessage()));
        }
    }

    /**
     * One outcome per caption, in order. Identical captions are computed once.
     *
     * @throws TeacherFailure when the teacher cannot embed anything
     */
    public List<Outcome> embed(List<String> captions) {
        return embedAdmitted(captions.stream().map(c -> new Admission(c, null, null)).toList());
    }

    /**
     * As {@link #embed}, for captions {@link #admit admitted} (none rejected): those not cached are embedded from
     * the tokens their admission carries; one that was cached then and is not now is tokenised again.
     *
     * @throws TeacherFailure when the teacher cannot embed anything
     */
    public List<Outcome> embedAdmitted(List<Admission> admitted) {
        Outcome[] outcomes = new Outcome[admitted.size()];
        Map<String, List<Integer>> toCompute = new LinkedHashMap<>();
        Map<String, Tokenized> tokens = new HashMap<>();
        for (int i = 0; i < admitted.size(); i++) {
            Admission admission = admitted.get(i);
            if (admission.rejected() != null) {
                throw new IllegalArgumentException("caption " + i + " was rejected: " + admission.rejected());
            }
            String caption = admission.caption();
            TeacherEmbedding cached = cache.get(teacher.modelId(), caption);
            if (cached != null) {
                outcomes[i] = new Embedded(cached, true);
                reused++;
            } else {
                toCompute.computeIfAbsent(caption, c -> new ArrayList<>()).add(i);
                if (admission.tokenized() != null) {
                    tokens.putIfAbsent(caption, admission.tokenized());
                }
            }
        }
        List<Tokenized> unique = new ArrayList<>(toCompute.size());
        for (String caption : toCompute.keySet()) {
            Tokenized t = tokens.get(caption);
            unique.add(t != null ? t : teacher.tokenize(caption));
        }
        List<Outcome> results = compute(unique);
        for (int u = 0; u < unique.size(); u++) {
            Outcome result = results.get(u);
            String caption = unique.get(u).caption();
            List<Integer> indexes = toCompute.get(caption);
            if (result instanceof Embedded e) {
                cache.put(teacher.modelId(), caption, e.embedding());
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

    /** The outcome of each caption, in order: computed in passes of similar lengths ({@link #passes}). */
    private List<Outcome> compute(List<Tokenized> unique) {
        Outcome[] results = new Outcome[unique.size()];
        for (int[] pass : passes(unique.stream().mapToInt(Tokenized::tokens).toArray(), PASS_OVERHEAD_TOKENS)) {
            List<Tokenized> captions = new ArrayList<>(pass.length);
            for (int i : pass) {
                captions.add(unique.get(i));
            }
            List<Outcome> passResults = computePass(captions);
            for (int k = 0; k < pass.length; k++) {
                results[pass[k]] = passResults.get(k);
            }
        }
        return List.of(results);
    }

    /**
     * Splits captions of these token {@code lengths} into forward passes: sorted by length, cut where the padding
     * saved ({@code captions × longest} summed over the passes) exceeds {@code passOverhead} per extra pass.
     *
     * @return the indexes into {@code lengths} of each pass, every index once
     */
    static List<int[]> passes(int[] lengths, long passOverhead) {
        int n = lengths.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
        // best[j]: least cost of the first j captions in sorted order; a pass (i, j] costs overhead + (j - i) × longest
        long[] best = new long[n + 1];
        int[] cut = new int[n + 1];
        for (int j = 1; j <= n; j++) {
            best[j] = Long.MAX_VALUE;
            long longest = lengths[order[j - 1]];
            for (int i = 0; i < j; i++) {
                long cost = best[i] + passOverhead + (j - i) * longest;
                if (cost < best[j]) {
                    best[j] = cost;
                    cut[j] = i;
                }
            }
        }
        List<int[]> passes = new ArrayList<>();
        for (int j = n; j > 0; j = cut[j]) {
            int[] pass = new int[j - cut[j]];
            for (int k = 0; k < pass.length; k++) {
                pass[k] = order[cut[j] + k];
            }
            passes.add(0, pass);
        }
        return passes;
    }

    private List<Outcome> computePass(List<Tokenized> captions) {
        try {
            List<TeacherEmbedding> embeddings = teacher.embedTokens(captions);
            computed += captions.size();
            return embeddings.stream().map(this::check).toList();
        } catch (RuntimeException batchFailure) {
            return computeOneByOne(captions, batchFailure);
        }
    }

    private List<Outcome> computeOneByOne(List<Tokenized> captions, RuntimeException batchFailure) {
        List<Outcome> results = new ArrayList<>(captions.size());
        boolean anyEmbedded = false;
        for (Tokenized caption : captions) {
            try {
                results.add(check(teacher.embedTokens(List.of(caption)).get(0)));
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
