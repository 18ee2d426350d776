package dev.kclip.trainer.eval;

/** Top-1 agreement of the classifier {@code C} with the soft label's most probable concept. */
public final class ConceptAccuracy {

    private ConceptAccuracy() {
    }

    /** Share of positions where {@code predicted[i] == expected[i]}. */
    public static double of(int[] predicted, int[] expected) {
        int hits = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == expected[i]) {
                hits++;
            }
        }
        return predicted.length == 0 ? 0 : (double) hits / predicted.length;
    }
}
