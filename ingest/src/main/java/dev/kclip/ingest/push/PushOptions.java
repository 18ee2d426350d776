package dev.kclip.ingest.push;

/**
 * How a dataset is pushed.
 *
 * @param ratePerSecond most pairs per second; 0 for as fast as possible
 * @param limit push at most this many pairs (after shuffling); 0 for all
 * @param shuffle push in a random order instead of the dataset's
 * @param seed the shuffle's seed, so an order can be repeated
 */
public record PushOptions(double ratePerSecond, long limit, boolean shuffle, long seed) {

    /** Everything, in the dataset's order, as fast as possible. */
    public static final PushOptions ALL_IN_ORDER = new PushOptions(0, 0, false, 0);

    public PushOptions {
        if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
            throw new IllegalArgumentException("--rate must be positive (pairs per second), not " + ratePerSecond);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("--limit must not be negative, not " + limit);
        }
    }
}
