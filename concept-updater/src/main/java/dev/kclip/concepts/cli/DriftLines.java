package dev.kclip.concepts.cli;

import dev.kclip.schemas.ConceptEvent;
import dev.kclip.schemas.ConceptShare;
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
     * E.g. {@code 2025-06-01T12:00:05Z onnx-minilm window 12 ALERT js 0.213 novelty 28.4% mmd² 0.0213
     * displacement 0.41 entropy 1.23 top1 0.61 records 1000 v57 reseeded [3] because [mmd 0.0213 > alert 0.0041]
     * rose #31 18% (was 2%) "flag: France", "flag: Japan" fell #3 5% (was 20%) top c5 21% c2 13% c9 10%}: the
     * statistics, the sharpness of the soft labels, why the level is what it is, the concepts (by stable id) whose
     * share rose and fell most with their nearest captions, and the largest concepts (by row); then the concept
     * events, e.g. {@code | new concept #31 'flag: France, flag: Chile' born at 2025-06-01T12:04:00Z, share 18%}.
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
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s %s window %d %-5s js %.3f novelty %.1f%%",
                r.getWindowEnd(), r.getTeacherModelId(), r.getWindow(), r.getLevel(), r.getJsDivergence(),
                100 * r.getNoveltyRate()));
        if (r.getMmd() != null) {
            line.append(String.format(Locale.ROOT, " mmd² %.4f", r.getMmd()));
        }
        line.append(String.format(Locale.ROOT, " displacement %.2f", r.getCentroidDisplacement()));
        if (r.getMeanEntropy() != null && r.getMeanTopProbability() != null) {
            line.append(String.format(Locale.ROOT, " entropy %.2f top1 %.2f", r.getMeanEntropy(),
                    r.getMeanTopProbability()));
        }
        line.append(String.format(Locale.ROOT, " records %d v%d", r.getRecords(), r.getCentroidVersion()));
        if (!r.getReseeded().isEmpty()) {
            line.append(" reseeded ").append(r.getReseeded());
        }
        if (!r.getReasons().isEmpty()) {
            line.append(" because [").append(String.join("; ", r.getReasons())).append(']');
        }
        shifts(line, "rose", r.getRising());
        shifts(line, "fell", r.getFalling());
        return line.append(" top ").append(top).append(events(r)).toString();
    }

    private static void shifts(StringBuilder line, String verb, List<ConceptShare> shares) {
        if (shares.isEmpty()) {
            return;
        }
        line.append(' ').append(verb);
        for (ConceptShare s : shares) {
            line.append(String.format(Locale.ROOT, " #%d %.0f%% (was %.0f%%)", s.getConceptId(), 100 * s.getShare(),
                    100 * s.getReferenceShare()));
            if (!s.getCaptions().isEmpty()) {
                line.append(' ').append(s.getCaptions().stream().map(c -> '"' + c + '"')
                        .collect(Collectors.joining(", ")));
            }
        }
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
