package dev.kclip.launcher.ablation;

import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.datasets.read.Dataset;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.LoadedDataset;
import dev.kclip.datasets.read.PairEntry;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.launcher.demo.DemoRun;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.trainer.data.HeldOutSplit;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.eval.EvalExample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The labelled stream every run of the ablation trains from, made once and without Kafka the way the pipeline
 * makes it: the dataset's pairs in stream order (grouped by the order-by field, as the demo pushes them), ids as
 * ingest gives them (content hash, duplicates dropped), the trainer's held-out split by id hash, the teacher's
 * vector of every caption, and a soft label from the concept updater's offline K-means (its bootstrap, with the
 * concept job's default settings but K) fitted on the training captions.
 *
 * @param train the training examples, in stream order
 * @param heldOut the held-out pairs with label, teacher vector and top concept
 * @param concepts the K-means model that labelled both
 * @param skipped dataset entries that could not be used, with why
 */
public record AblationData(List<TrainingExample> train, List<EvalExample> heldOut, ConceptModel concepts,
        int skipped) {


    /**
     * Reads, splits, embeds and labels {@code settings.dataset()}.
     *
     * @param limit at most this many pairs, evenly spaced over the stream (every group keeps its share), or 0 for all
     */
    public static AblationData load(AblationSettings settings, TeacherModel teacher, int limit) {
        Dataset dataset = new JsonlReader(ReaderOptions.DEFAULTS.withLabelField(settings.labelField()))
                .read(settings.dataset());
        List<PairEntry> stream = DemoRun.streamOrder(dataset.entries(), settings.orderBy(), settings.labelField());
        if (limit > 0 && stream.size() > limit) {
            List<PairEntry> spaced = new ArrayList<>(limit);
            for (int i = 0; i < limit; i++) {
                spaced.add(stream.get((int) ((long) i * stream.size() / limit)));
            }
            stream = spaced;
        }
        LoadedDataset loaded = LoadedDataset.of(dataset.name(), stream, dataset.skipped());
        int skipped = loaded.skipped().size();
        // as ingest's de-duplication: a pair id streams once
        Set<String> ids = new HashSet<>();
        List<LoadedDataset.Pair> pairs = loaded.pairs().stream().filter(p -> ids.add(p.id())).toList();
        List<float[]> vectors = teacher.vectors(pairs.stream().map(LoadedDataset.Pair::caption).toList());
        HeldOutSplit split = new HeldOutSplit(settings.heldOutShare());
        List<float[]> trainVectors = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            if (!split.isHeldOut(pairs.get(i).id())) {
                trainVectors.add(vectors.get(i));
            }
        }
        if (trainVectors.size() < settings.concepts()) {
            throw new IllegalArgumentException(settings.dataset() + ": " + trainVectors.size()
                    + " training pairs, fewer than K=" + settings.concepts());
        }
        ConceptModel concepts = OfflineKMeans.fit(trainVectors,
                ConceptJobConfig.defaults().concepts().kmeans().withK(settings.concepts())).model();
        List<TrainingExample> train = new ArrayList<>();
        List<EvalExample> heldOut = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            LoadedDataset.Pair p = pairs.get(i);
            TrainingExample example = new TrainingExample(p.id(), p.caption(), p.image(), p.label(), vectors.get(i),
                    teacher.modelId(), concepts.softLabel(vectors.get(i)), concepts.version(), new long[0], null);
            if (split.isHeldOut(p.id())) {
                heldOut.add(EvalExample.of(example));
            } else {
                train.add(example);
            }
        }
        return new AblationData(List.copyOf(train), List.copyOf(heldOut), concepts, skipped);
    }
}
