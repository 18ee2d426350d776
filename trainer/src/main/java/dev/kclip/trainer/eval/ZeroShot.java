package dev.kclip.trainer.eval;

import java.util.HashMap;
import java.util.Map;

/**
 * Zero-shot classification: each image is compared with the text embedding of one prompt per class
 * ({@code "a photo of a {label}"}); the prediction is the most similar prompt.
 */
public final class ZeroShot {

    private ZeroShot() {
    }

    /**
     * Share of images whose true class is among the {@code k} most similar prompts.
     *
     * @param images image embeddings
     * @param truth the class index of each image
     * @param classTexts one text embedding per class
     */
    public static double topK(float[][] images, int[] truth, float[][] classTexts, int k) {
        float[][] classes = Similarity.normalizedRows(classTexts);
        int hits = 0;
        for (int i = 0; i < images.length; i++) {
            for (int c : Similarity.topK(Similarity.scores(images[i], classes), k, -1)) {
                if (c == truth[i]) {
                    hits++;
                    break;
                }
            }
        }
        return images.length == 0 ? 0 : (double) hits / images.length;
    }

    /**
     * Top-1 accuracy averaged over the classes present (mean per-class recall): chance is {@code 1 / classes}
     * however unbalanced the classes are, and always answering the largest class scores {@code 1 / classes} too.
     */
    public static double balancedTop1(float[][] images, int[] truth, float[][] classTexts) {
        float[][] classes = Similarity.normalizedRows(classTexts);
        int[] seen = new int[classes.length];
        int[] right = new int[classes.length];
        for (int i = 0; i < images.length; i++) {
            seen[truth[i]]++;
            if (Similarity.topK(Similarity.scores(images[i], classes), 1, -1)[0] == truth[i]) {
                right[truth[i]]++;
            }
        }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes.length; c++) {
            if (seen[c] > 0) {
                sum += (double) right[c] / seen[c];
                present++;
            }
        }
        return present == 0 ? 0 : sum / present;
    }

    /** The accuracy of always answering the most frequent class: the bar an unbalanced test set sets above chance. */
    public static double majorityShare(int[] truth) {
        Map<Integer, Integer> counts = new HashMap<>();
        int most = 0;
        for (int t : truth) {
            most = Math.max(most, counts.merge(t, 1, Integer::sum));
        }
        return truth.length == 0 ? 0 : (double) most / truth.length;
    }
}
