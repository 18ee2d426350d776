package dev.kclip.launcher.demo;

import dev.kclip.launcher.report.ReportData;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.concepts.cli.DriftLines;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.trainer.eval.AccuracyMatrix;
import dev.kclip.trainer.eval.ContinualFigures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Turns what the demo observed into the report's data. */
final class DemoReport {

    private DemoReport() {
    }

    static ReportData of(DemoSummary summary, TrainingHistory history, PipelineObserver observer) {
        List<ReportData.LossPoint> losses = history.steps().stream()
                .map(s -> new ReportData.LossPoint(s.step(), s.embedding(), s.concept(), s.contrastive(), s.total()))
                .toList();
        List<ReportData.CheckpointPoint> checkpoints = history.checkpoints().stream()
                .map(c -> new ReportData.CheckpointPoint(c.version(), c.step(), c.metrics()))
                .toList();
        List<ReportData.ConceptSizes> sizes = new ArrayList<>();
        for (CentroidSnapshot snapshot : observer.snapshots()) {
            sizes.add(new ReportData.ConceptSizes(snapshot.getVersion(), snapshot.getRecordsSeen(),
                    Float32Vectors.decode(snapshot.getWeights(), snapshot.getConceptCount())));
        }
        List<ReportData.DriftPoint> drift = new ArrayList<>();
        for (DriftReport r : observer.driftReports()) {
            drift.add(new ReportData.DriftPoint(r.getWindow(), r.getJsDivergence(), r.getNoveltyRate(),
                    r.getCentroidDisplacement(), r.getMmd() == null ? Double.NaN : r.getMmd(),
                    r.getMeanTopProbability() == null ? Double.NaN : r.getMeanTopProbability(), r.getLevel().name(),
                    DriftLines.format(r)));
        }
        float[] weights = observer.conceptWeights();
        Map<Integer, List<PipelineObserver.Example>> examples = observer.examplesByConcept();
        Map<Integer, List<String>> captions = observer.captionsByConcept();
        List<ReportData.ConceptExamples> concepts = new ArrayList<>();
        for (Map.Entry<Integer, List<PipelineObserver.Example>> e : examples.entrySet()) {
            int k = e.getKey();
            concepts.add(new ReportData.ConceptExamples(k, k < weights.length ? weights[k] : 0,
                    ConceptWords.describe(captions.getOrDefault(k, List.of()), 4),
                    e.getValue().stream().map(x -> new ReportData.Example(x.caption(), x.image(), x.mediaType())).toList()));
        }
        concepts.sort(Comparator.comparingDouble(ReportData.ConceptExamples::size).reversed());
        return new ReportData("Knowledge-CLIP Stream demo", summary.lines(), losses, checkpoints, sizes, drift, concepts,
                heatMap(summary));
    }

    /** The final checkpoint's accuracy matrix for the report, or null without buckets. */
    static ReportData.AccuracyHeatMap heatMap(DemoSummary summary) {
        AccuracyMatrix m = summary.accuracyMatrix();
        if (m == null || m.rows().isEmpty()) {
            return null;
        }
        List<String> buckets = m.buckets();
        double[][] top1 = new double[m.rows().size()][buckets.size()];
        boolean[][] future = new boolean[m.rows().size()][buckets.size()];
        List<String> rows = new ArrayList<>();
        for (int r = 0; r < m.rows().size(); r++) {
            AccuracyMatrix.Row row = m.rows().get(r);
            rows.add("step " + row.step());
            for (int b = 0; b < buckets.size(); b++) {
                top1[r][b] = m.top1(r, buckets.get(b));
                future[r][b] = row.future(buckets.get(b));
            }
        }
        List<String> notes = List.of(
                "Buckets by " + m.bucketing() + ", in the order their first pair arrived. A[checkpoint][bucket] is the "
                        + "zero-shot top-1 on the bucket's held-out pairs among the prompts of every class held out so far; "
                        + "blank: no held-out pair of the bucket had arrived; * : none of the bucket's examples had been "
                        + "trained yet (a future bucket).",
                "A checkpoint is written just before the first step on a new bucket: it is the end of the previous bucket "
                        + "(the diagonal, A[l(j)][j], l(j) = the last checkpoint at which j was the newest bucket) and the "
                        + "'before' of the new one.",
                "In-domain = mean of the diagonal; backward transfer = mean of A[last][j] − A[l(j)][j] over buckets "
                        + "learnt before the last checkpoint (BWT of GEM, Lopez-Paz & Ranzato 2017, as CLEAR and TiC-CLIP "
                        + "report it; forgetting = −BWT); forward transfer = mean of A[b(j)][j] − 1/classes, b(j) = the "
                        + "last checkpoint before j's training (GEM's FWT with chance as the reference).",
                ContinualFigures.line(summary.continual())
                        + (summary.replayPolicy() == null ? "" : "; replay: "
                        + ContinualFigures.replayLine(summary.replayPolicy(), summary.metrics())));
        return new ReportData.AccuracyHeatMap(rows, buckets, top1, future, notes);
    }
}
