package dev.kclip.trainer.eval;

import java.util.Locale;
import java.util.Map;

/** The continual figures and the replay settings as one readable line each ({@code kclip eval}, the demo summary). */
public final class ContinualFigures {

    /** The metrics of {@code checkpoint.json} that describe replay: the configured share of each batch, ... */
    public static final String REPLAY_SHARE = "replay_share";
    /** ... the reservoir's capacity, ... */
    public static final String REPLAY_CAPACITY = "replay_capacity";
    /** ... the examples it holds, ... */
    public static final String REPLAY_RESERVOIR_SIZE = "replay_reservoir_size";
    /** ... and the examples replayed since the run started. */
    public static final String EXAMPLES_REPLAYED = "examples_replayed";

    private ContinualFigures() {
    }

    /**
     * {@code in-domain 41.0% (4 buckets), backward transfer -5.0 points (forgetting 5.0; 3 buckets), forward transfer
     * +2.0 points over chance (accuracy 12.0%; 2 buckets)}; {@code n/a} for a figure the matrix cannot give.
     */
    public static String line(ContinualMetrics c) {
        return String.format(Locale.ROOT, "in-domain %s (%d buckets), backward transfer %s (forgetting %s; %d buckets), "
                        + "forward transfer %s over chance (accuracy %s; %d buckets)",
                percent(c.inDomain()), c.learnt(), points(c.backwardTransfer()),
                c.forgetting() == null ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * c.forgetting()), c.compared(),
                points(c.forwardTransfer()), percent(c.forwardAccuracy()), c.ahead());
    }

    /**
     * {@code reservoir, 25% of each batch, capacity 10,000 (holding 1,234), 5,678 examples replayed} from a
     * checkpoint's replay figures.
     */
    public static String replayLine(String policy, Map<String, Double> metrics) {
        return String.format(Locale.ROOT, "%s, %.0f%% of each batch, capacity %,d (holding %,d), %,d examples replayed",
                policy, 100 * metrics.getOrDefault(REPLAY_SHARE, Double.NaN),
                Math.round(metrics.getOrDefault(REPLAY_CAPACITY, 0.0)),
                Math.round(metrics.getOrDefault(REPLAY_RESERVOIR_SIZE, 0.0)),
                Math.round(metrics.getOrDefault(EXAMPLES_REPLAYED, 0.0)));
    }

    private static String percent(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String points(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%+.1f points", 100 * v);
    }
}
