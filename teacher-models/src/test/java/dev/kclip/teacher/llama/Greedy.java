package dev.kclip.teacher.llama;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;

/** Greedy decoding without a KV cache (a full forward per step): enough to check a model against a reference. */
final class Greedy {

    private Greedy() {
    }

    /** Starts from {@code prompt}, appends the argmax token {@code steps} times. */
    static long[] decode(Llama model, long[] prompt, int steps) {
        long[] ids = Arrays.copyOf(prompt, prompt.length + steps);
        int vocab = model.config().vocabSize();
        for (int length = prompt.length; length < ids.length; length++) {
            float[] logits;
            try (NDManager scope = model.newScope()) {
                logits = model.logits(scope, TokenBatch.of(List.of(Arrays.copyOf(ids, length))))
                        .get(0, length - 1).toFloatArray();
            }
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[v] > logits[best]) {
                    best = v;
                }
            }
            ids[length] = best;
        }
        return ids;
    }
}
