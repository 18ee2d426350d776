package dev.kclip.concepts.cli;

import dev.kclip.schemas.ConceptEvent;
import dev.kclip.schemas.DriftReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** One human-readable line per drift report. */
public final class DriftLines {

    private static final int TOP_CONCEPTS = 3;

    private DriftLines() {
    }

    /**
     * E.g. {@code 2025-06-01T12:00:05Z onnx-minilm window 12 ALERT js 0.213 novelty 28.4% displacement 0.41
     * records 1000 v57 reseeded [3] top c5 21% c2 13% c9 10%}, then the concept events, e.g.
     * {@code | new concept #31 'flag: France, flag: Chile' born at 2025-06-01T12:04:00Z, share 18%}.
     */
    public static String format(DriftReport r) {
        List<Long> counts = new ArrayList<>(r.getConceptCounts());
        String top = IntStream.range(0, counts.size()).boxed()
                .sorted(Comparator.comparing((Integer c) -> counts.get(c)).reversed().thenComparing(c -> c))
                .limit(TOP_CONCEPTS)
                .filter(c -> counts.get(c) > 0)
                .map(c -> String.format(Locale.ROOT, "c%d %.0f%%", c,
                        100.0 * counts.get(c) / Math.max(1, r.getRecords())))
                .collect(Collectors.joining(" "));
        return String.format(Locale.ROOT,
                "%s %s window %d %-5s js %.3f novelty %.1f%% displacement %.2f records %d v%d%s top %s",
                r.getWindowEnd(), r.getTeacherModelId(), r.getWindow(), r.getLevel(), r.getJsDivergence(),
                100 * r.getNoveltyRate(), r.getCentroidDisplacement(), r.getRecords(), r.getCentroidVersion(),
                r.getReseeded().isEmpty() ? "" : " reseeded " + r.getReseeded(), top) + events(r);
    }

    /** The born, merged and retired concepts of a report, one {@code | ...} each. */
    private static String events(DriftReport r) {
        StringBuilder line = new StringBuilder();
        for (ConceptEvent e : r.getConceptEvents()) {
            String names = e.getCaptions().isEmpty() ? "" : " '" + String.join(", ", e.getCaptions()) + "'";
            line.append(switch (e.getKind()) {
                case BORN -> String.format(Locale.ROOT, " | new concept #%d%s born at %s, share %.0f%%",
                        e.getConceptId(), names, e.getEventTime(), 100 * e.getShare());
                case MERGED -> String.format(Locale.ROOT, " | concept #%d%s merged into #%d", e.getConceptId(), names,
                        e.getIntoConceptId());
                case RETIRED -> String.format(Locale.ROOT, " | concept #%d%s retired", e.getConceptId(), names);
                default -> String.format(Locale.ROOT, " | concept #%d: %s", e.getConceptId(), e.getKind());
            });
        }
        return line.toString();
    }
}
