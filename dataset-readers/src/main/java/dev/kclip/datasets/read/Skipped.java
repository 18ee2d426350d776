package dev.kclip.datasets.read;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A dataset entry a reader or a push left out.
 *
 * @param location where it was listed, e.g. {@code pairs.jsonl line 12}
 * @param reason the kind of problem
 * @param detail what exactly was wrong
 */
public record Skipped(String location, SkipReason reason, String detail) {

    /** How many of {@code skipped} each reason accounts for, in reason order. */
    public static Map<SkipReason, Long> countByReason(List<Skipped> skipped) {
        Map<SkipReason, Long> counts = new EnumMap<>(SkipReason.class);
        skipped.forEach(s -> counts.merge(s.reason(), 1L, Long::sum));
        return counts;
    }

    /** {@code 2 malformed line, 1 image not found}: the counts in reason order, for summaries. */
    public static String describeCounts(Map<SkipReason, Long> counts) {
        return counts.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> String.format(Locale.ROOT, "%,d %s", e.getValue(), e.getKey().description()))
                .collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return location + ": " + detail;
    }
}
