package dev.kclip.launcher.ablation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AblationTableTest {

    @Test
    void meanAndSampleStandardDeviation() {
        MeanSd three = MeanSd.of(List.of(1.0, 2.0, 4.0));
        assertEquals(7.0 / 3, three.mean(), 1e-12);
        // sample sd: sqrt(((1-7/3)² + (2-7/3)² + (4-7/3)²) / 2) = sqrt(7/3)
        assertEquals(Math.sqrt(7.0 / 3), three.sd(), 1e-12);
        assertEquals(3, three.n());
        assertEquals("2.333 ± 1.528", three.format());
        assertEquals(new MeanSd(0.5, 0, 1), MeanSd.of(List.of(0.5)));
    }

    @Test
    void aFigureMissingOrNotFiniteInOneSeedIsNotAveragedAway() {
        assertEquals("n/a", MeanSd.of(List.of(0.2, Double.NaN)).format());
        assertEquals("n/a", MeanSd.of(List.of()).format());
        AblationTable.Row row = new AblationTable.Row("random", Objective.STANDARD.get(0),
                List.of(Map.of("zero_shot_top1", 0.2), Map.of()));
        assertEquals("n/a", row.figure("zero_shot_top1").format());
    }

    @Test
    void tablesShowEveryRowsFiguresOverItsSeeds() {
        AblationTable table = new AblationTable(List.of(
                new AblationTable.Row("random", Objective.STANDARD.get(0),
                        List.of(Map.of("zero_shot_top1", 0.2, "teacher_knn_overlap_10", 0.1),
                                Map.of("zero_shot_top1", 0.3, "teacher_knn_overlap_10", 0.3))),
                new AblationTable.Row("emoji-base", Objective.STANDARD.get(3),
                        List.of(Map.of("zero_shot_top1", 0.5, "teacher_knn_overlap_10", 0.4)))));

        String markdown = table.markdown();
        List<String> lines = markdown.lines().toList();
        assertEquals(4, lines.size(), markdown);
        assertTrue(lines.get(0).startsWith("| init | objective | α | β | γ | seeds | zero-shot top-1 | balanced top-1 |"),
                lines.get(0));
        int columns = 6 + AblationTable.COLUMNS.size();
        assertEquals("|" + "---|".repeat(2) + "---:|".repeat(columns - 2), lines.get(1));
        // 0.2, 0.3: mean 0.25, sample sd 0.0707; 0.1, 0.3: 0.2 ± 0.141
        assertTrue(lines.get(2).startsWith("| random | contrastive | 0 | 0 | 1 | 2 | 0.250 ± 0.071 | n/a |"), lines.get(2));
        assertTrue(lines.get(2).contains("| 0.200 ± 0.141 |"), lines.get(2));
        assertTrue(lines.get(3).startsWith("| emoji-base | all (paper) | 1 | 0.01 | 1 | 1 | 0.500 ± 0.000 |"), lines.get(3));
        lines.forEach(l -> assertEquals(columns + 1, l.chars().filter(c -> c == '|').count(), l));

        List<String> text = table.text().lines().toList();
        assertEquals(3, text.size());
        int figure = text.get(0).indexOf("zero-shot top-1") + "zero-shot top-1".length();
        // numbers are right-aligned under their header
        assertEquals("0.250 ± 0.071", text.get(1).substring(figure - 13, figure));
        assertEquals("0.500 ± 0.000", text.get(2).substring(figure - 13, figure));
        assertTrue(text.get(2).startsWith("emoji-base  all (paper)  "), text.get(2));
    }
}
