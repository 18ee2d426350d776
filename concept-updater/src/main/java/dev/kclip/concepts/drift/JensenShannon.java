package dev.kclip.concepts.drift;

/** Jensen-Shannon divergence between two discrete distributions, in bits (base 2), so it lies in [0, 1]. */
public final class JensenShannon {

    private JensenShannon() {
    }

    /**
     * {@code JS(P‖Q) = ½ KL(P‖M) + ½ KL(Q‖M)} with {@code M = ½(P + Q)}. Inputs are non-negative weights of equal
     * length (counts are fine); each is normalised to sum 1. Terms with zero probability contribute 0.
     */
    public static double divergence(double[] p, double[] q) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("distributions over " + p.length + " and " + q.length + " outcomes");
        }
        double sumP = total(p);
        double sumQ = total(q);
        double js = 0;
        for (int i = 0; i < p.length; i++) {
            double pi = p[i] / sumP;
            double qi = q[i] / sumQ;
            double mi = (pi + qi) / 2;
            if (pi > 0) {
                js += 0.5 * pi * log2(pi / mi);
            }
            if (qi > 0) {
                js += 0.5 * qi * log2(qi / mi);
            }
        }
        // rounding can leave a hair outside [0, 1]
        return Math.max(0, Math.min(1, js));
    }

    private static double total(double[] weights) {
        double sum = 0;
        for (double w : weights) {
            if (!(w >= 0)) {
                throw new IllegalArgumentException("weights must be non-negative, not " + w);
            }
            sum += w;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("a distribution needs some weight");
        }
        return sum;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
