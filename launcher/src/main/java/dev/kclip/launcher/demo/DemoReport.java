package dev.kclip.launcher.demo;

import dev.kclip.launcher.report.ReportData;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.Float32Vectors;
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
                    r.getCentroidDisplacement(), r.getLevel().name()));
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
        return new ReportData("Knowledge-CLIP Stream demo", summary.lines(), losses, checkpoints, sizes, drift, concepts);
    }
}
