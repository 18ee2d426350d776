package dev.kclip.trainer.eval;

/**
 * Zero-shot accuracy on the held-out pairs of one bucket (a group of pairs: a time step of the stream, a
 * category), scored among the classes of all the pairs evaluated with it, not only the bucket's own.
 *
 * @param examples labelled pairs of the bucket scored
 * @param classes classes the prompts covered (chance top-1 is {@code 1 / classes})
 * @param top1 share of the bucket's images whose closest prompt is their class
 * @param balancedTop1 top-1 averaged over the classes present in the bucket
 */
public record BucketAccuracy(int examples, int classes, double top1, double balancedTop1) {

    /** Top-1 of a classifier that guesses uniformly among the classes. */
    public double chance() {
        return 1.0 / classes;
    }
}
