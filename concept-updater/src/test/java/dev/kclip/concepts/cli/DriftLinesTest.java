package dev.kclip.concepts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.schemas.ConceptEvent;
import dev.kclip.schemas.ConceptEventKind;
import dev.kclip.schemas.ConceptShare;
import dev.kclip.schemas.DriftLevel;
import dev.kclip.schemas.DriftReport;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftLinesTest {

    static DriftReport report(long window, DriftLevel level, List<Integer> reseeded) {
        return DriftReport.newBuilder().setTeacherModelId("onnx-minilm").setWindow(window)
                .setWindowStart(Instant.parse("2025-06-01T11:59:00Z")).setWindowEnd(Instant.parse("2025-06-01T12:00:05Z"))
                .setRecords(1000).setConceptCounts(List.of(100L, 0L, 500L, 400L)).setJsDivergence(0.2134)
                .setCentroidDisplacement(0.409).setNoveltyRate(0.2841).setReseeded(reseeded).setLevel(level)
                .setCentroidVersion(57).setCreatedTime(Instant.parse("2025-06-01T12:00:06Z")).build();
    }

    @Test
    void oneReadableLinePerReport() {
        assertEquals("2025-06-01T12:00:05Z onnx-minilm window 12 ALERT js 0.213 novelty 28.4% displacement 0.41 "
                + "records 1000 v57 reseeded [3] top c2 50% c3 40% c0 10%",
                DriftLines.format(report(12, DriftLevel.ALERT, List.of(3))));
        assertEquals("2025-06-01T12:00:05Z onnx-minilm window 3 OK    js 0.213 novelty 28.4% displacement 0.41 "
                + "records 1000 v57 top c2 50% c3 40% c0 10%", DriftLines.format(report(3, DriftLevel.OK, List.of())));
    }

    @Test
    void bornMergedAndRetiredConceptsAreNamed() {
        Instant born = Instant.parse("2025-06-01T12:04:00Z");
        ConceptEvent bornEvent = ConceptEvent.newBuilder().setKind(ConceptEventKind.BORN).setConceptId(31).setRow(3)
                .setCentroidVersion(57).setEventTime(born).setWeight(12).setShare(0.18)
                .setCaptions(List.of("flag: France", "flag: Chile", "flag: Peru")).build();
        ConceptEvent merged = ConceptEvent.newBuilder().setKind(ConceptEventKind.MERGED).setConceptId(7).setRow(1)
                .setCentroidVersion(57).setEventTime(born).setWeight(40).setIntoConceptId(2).build();
        ConceptEvent retired = ConceptEvent.newBuilder().setKind(ConceptEventKind.RETIRED).setConceptId(4).setRow(0)
                .setCentroidVersion(57).setEventTime(born).setWeight(1).setCaptions(List.of("grinning face")).build();
        DriftReport withEvents = DriftReport.newBuilder(report(12, DriftLevel.WARN, List.of()))
                .setConceptEvents(List.of(bornEvent, merged, retired)).build();
        String line = DriftLines.format(withEvents);
        assertTrue(line.endsWith(" top c2 50% c3 40% c0 10%"
                + " | new concept #31 'flag: France, flag: Chile, flag: Peru' born at 2025-06-01T12:04:00Z, share 18%"
                + " | concept #7 merged into #2 | concept #4 'grinning face' retired"), line);
    }

    @Test
    void saysWhatDriftedAndWhy() {
        DriftReport r = report(12, DriftLevel.ALERT, List.of());
        r.setMmd(0.02134);
        r.setMeanEntropy(1.234);
        r.setMeanTopProbability(0.612);
        r.setReasons(List.of("js 0.2134 > alert 0.08", "mmd 0.02134 > alert 0.004"));
        r.setRising(List.of(new ConceptShare(2, 31L, 0.5, 0.02, List.of("flag: France", "flag: Japan"))));
        r.setFalling(List.of(new ConceptShare(0, 0L, 0.1, 0.4, List.of())));
        assertEquals("2025-06-01T12:00:05Z onnx-minilm window 12 ALERT js 0.213 novelty 28.4% mmd² 0.0213 "
                + "displacement 0.41 entropy 1.23 top1 0.61 records 1000 v57 "
                + "because [js 0.2134 > alert 0.08; mmd 0.02134 > alert 0.004] "
                + "rose #31 50% (was 2%) \"flag: France\", \"flag: Japan\" fell #0 10% (was 40%) "
                + "top c2 50% c3 40% c0 10%", DriftLines.format(r));
    }
}
