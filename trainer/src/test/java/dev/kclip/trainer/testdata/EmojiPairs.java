package dev.kclip.trainer.testdata;

import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.LoadedDataset;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.trainer.data.TrainingExample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * emoji-64 (1,911 real pairs) as training examples, labelled the way the pipeline labels them: the real MiniLM
 * teacher embeds each caption, the concept updater's offline K-means clusters the embeddings, and its model gives
 * each pair a soft label. The zero-shot label is the emoji's category (10 values). Computed once per test JVM.
 */
public final class EmojiPairs {

    public static final Path PAIRS = Path.of("../datasets/emoji-64/pairs.jsonl");
    public static final int CONCEPTS = 24;

    private static List<TrainingExample> cached;
    private static ConceptModel concepts;

    private EmojiPairs() {
    }

    /** Every pair, in file order. */
    public static synchronized List<TrainingExample> all() {
        if (cached == null) {
            List<LoadedDataset.Pair> pairs = LoadedDataset.load(
                    new JsonlReader(ReaderOptions.DEFAULTS.withLabelField("category")), PAIRS).pairs();
            List<float[]> vectors = new ArrayList<>();
            String teacherId;
            try (TeacherModel teacher = TeacherModels.load("onnx-minilm")) {
                teacherId = teacher.modelId();
                for (int from = 0; from < pairs.size(); from += 64) {
                    List<String> captions = pairs.subList(from, Math.min(pairs.size(), from + 64)).stream()
                            .map(LoadedDataset.Pair::caption).toList();
                    for (TeacherEmbedding e : teacher.embed(captions)) {
                        vectors.add(e.vector());
                    }
                }
            }
            concepts = OfflineKMeans.fit(vectors, KMeansSettings.defaults(CONCEPTS).withSeed(7)).model();
            List<TrainingExample> examples = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                LoadedDataset.Pair p = pairs.get(i);
                examples.add(new TrainingExample(p.id(), p.caption(), p.image(), p.label(), vectors.get(i), teacherId,
                        concepts.softLabel(vectors.get(i)), concepts.version(), new long[0], null));
            }
            cached = List.copyOf(examples);
        }
        return cached;
    }

    /** The K-means model that labelled {@link #all}. */
    public static synchronized ConceptModel concepts() {
        all();
        return concepts;
    }
}
