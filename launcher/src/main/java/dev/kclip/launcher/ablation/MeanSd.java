package dev.kclip.launcher.ablation;

import java.util.List;
import java.util.Locale;

/**
 * Mean and sample standard deviation of one figure over the seeds of a configuration.
 *
 * @param mean the mean, NaN when there are no values or one is not finite
 * @param sd the sample standard deviation (n − 1), 0 for a single value
 * @param n how many values
 */
public record MeanSd(double mean, double sd, int n) {

    /** Of {@code values}, in any order. */
    public static MeanSd of(List<Double> values) {
        int n = values.size();
        if (n == 0 || values.stream().anyMatch(v -> v == null || !Double.isFinite(v))) {
            return new MeanSd(Double.NaN, Double.NaN, n);
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
        if (n == 1) {
            return new MeanSd(mean, 0, 1);
        }
        double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        return new MeanSd(mean, Math.sqrt(squares / (n - 1)), n);
    }

    /** {@code 0.231 ± 0.012} with three decimals; {@code n/a} when there is no finite mean. */
    public String format() {
        return Double.isFinite(mean) ? String.format(Locale.ROOT, "%.3f ± %.3f", mean, sd) : "n/a";
    }
}
