package dev.kclip.ingest.push;

import dev.kclip.datasets.read.SkipReason;
import dev.kclip.datasets.read.Skipped;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a push did.
 *
 * @param source the dataset name recorded in the pairs
 * @param topic where they went
 * @param pushed pairs acknowledged by Kafka
 * @param skippedByReason how many entries were left out, by reason
 * @param skipped the entries left out (the first {@link #KEPT_SKIPS})
 * @param imageBytes bytes of image files read and sent
 * @param recordBytes bytes of records sent (images plus the rest of each record)
 * @param elapsed wall time of the push, reading and sending
 */
public record PushSummary(String source, String topic, long pushed, Map<SkipReason, Long> skippedByReason,
        List<Skipped> skipped, long imageBytes, long recordBytes, Duration elapsed) {

    /** How many skipped entries a summary keeps for its listing. */
    public static final int KEPT_SKIPS = 20;

    public PushSummary {
        skippedByReason = Map.copyOf(skippedByReason);
        skipped = List.copyOf(skipped);
    }

    public long skippedCount() {
        return skippedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    public double pairsPerSecond() {
        return pushed / seconds();
    }

    /** Record megabytes (10^6 bytes) per second. */
    public double megabytesPerSecond() {
        return recordBytes / 1e6 / seconds();
    }

    private double seconds() {
        return Math.max(1e-9, elapsed.toNanos() / 1e9);
    }

    /** The summary printed at the end of {@code kclip push}. */
    public String render() {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "pushed %,d pairs from %s to %s in %.1f s (%,.0f pairs/s, %.1f MB/s; %.1f MB of records, %.1f MB of images)",
                pushed, source, topic, elapsed.toNanos() / 1e9, pairsPerSecond(), megabytesPerSecond(),
                recordBytes / 1e6, imageBytes / 1e6));
        if (skippedCount() == 0) {
            text.append("\nskipped none");
        } else {
            text.append(String.format(Locale.ROOT, "%nskipped %,d: ", skippedCount()))
                    .append(Skipped.describeCounts(skippedByReason));
            skipped.forEach(s -> text.append("\n  ").append(s));
            if (skippedCount() > skipped.size()) {
                text.append("\n  ... and ").append(skippedCount() - skipped.size()).append(" more");
            }
        }
        return text.toString();
    }
}
