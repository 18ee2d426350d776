package dev.kclip.trainer.eval;

/** Cross-modal retrieval: query i's match is target i (image i ↔ caption i). */
public final class Retrieval {

    private Retrieval() {
    }

    /** Recall@k: share of queries whose match is among the {@code k} most similar targets (cosine). */
    public static double recallAtK(float[][] queries, float[][] targets, int k) {
        float[][] rows = Similarity.normalizedRows(targets);
        int hits = 0;
        for (int i = 0; i < queries.length; i++) {
            for (int j : Similarity.topK(Similarity.scores(queries[i], rows), k, -1)) {
                if (j == i) {
                    hits++;
                    break;
                }
            }
        }
        return queries.length == 0 ? 0 : (double) hits / queries.length;
    }
}
