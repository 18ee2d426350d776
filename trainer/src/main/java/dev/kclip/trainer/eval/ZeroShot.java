package dev.kclip.trainer.eval;

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
}
