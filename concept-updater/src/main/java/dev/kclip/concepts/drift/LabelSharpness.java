package dev.kclip.concepts.drift;

/** How sharp a soft label is: its entropy and its largest probability. */
public final class LabelSharpness {

    private LabelSharpness() {
    }

    /** {@code −Σ p log p} in nats (0 for a one-hot label, ln K for a uniform one). */
    public static double entropy(float[] probabilities) {
        double h = 0;
        for (float p : probabilities) {
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    /** The largest probability. */
    public static double top(float[] probabilities) {
        double top = 0;
        for (float p : probabilities) {
            top = Math.max(top, p);
        }
        return top;
    }
}
