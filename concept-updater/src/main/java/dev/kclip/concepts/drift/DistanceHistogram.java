package dev.kclip.concepts.drift;

/**
 * Fixed log-scale bins for squared distances, relative to the model's temperature τ: eight bins per doubling of
 * d²/τ, from 2⁻¹⁶ to 2¹⁶ (about 9% resolution). Histograms over these bins add up across assigners and windows,
 * which is how the reference 99th percentile is kept without storing distances.
 */
public final class DistanceHistogram {

    public static final int BINS = 256;
    private static final int PER_OCTAVE = 8;
    private static final int ZERO_BIN = BINS / 2;

    private DistanceHistogram() {
    }

    /** The bin of squared distance {@code d2} at temperature {@code tau}. */
    public static int bin(double d2, double tau) {
        if (!(d2 > 0)) {
            return 0;
        }
        double octaves = Math.log(d2 / tau) / Math.log(2);
        int bin = (int) Math.floor(octaves * PER_OCTAVE) + ZERO_BIN;
        return Math.max(0, Math.min(BINS - 1, bin));
    }

    /** The upper edge of {@code bin} as a squared distance. */
    public static double upperEdge(int bin, double tau) {
        return tau * Math.pow(2, (bin - ZERO_BIN + 1) / (double) PER_OCTAVE);
    }

    /** The squared distance below which {@code q} of the histogram's weight lies (upper edge of that bin). */
    public static double quantile(double[] histogram, double q, double tau) {
        double total = 0;
        for (double h : histogram) {
            total += h;
        }
        if (total == 0) {
            return 0;
        }
        double running = 0;
        for (int b = 0; b < histogram.length; b++) {
            running += histogram[b];
            if (running >= q * total) {
                return upperEdge(b, tau);
            }
        }
        return upperEdge(histogram.length - 1, tau);
    }
}
