package dev.kclip.launcher.ablation;

import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.model.ModelConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Does the paper's method help? Trains a new student per objective, starting point and seed from the same labelled
 * stream ({@link AblationData}) for the same number of steps ({@link AblationRun}), evaluates each on the held-out
 * pairs and tabulates mean ± sd over the seeds ({@link AblationTable}). Offline: no Kafka, no Flink; the teacher
 * embeds the captions once.
 *
 * <p>Every run uses the trainer's defaults (its learning-rate schedule, replay share and capacity), the settings'
 * model, and what {@code kclip demo} changes: a student from random weights gets the teacher-seeded vocabulary,
 * one from {@code --init} keeps its CLIP's.
 */
public final class AblationBenchmark {

    /** The row name of students from random weights. */
    public static final String RANDOM = "random";

    private AblationBenchmark() {
    }

    /**
     * Runs every configuration and prints progress, the table and the elapsed time to {@code out}.
     *
     * @param limit at most this many pairs of the dataset (evenly spaced over the stream), 0 for all
     */
    public static AblationTable run(AblationSettings settings, int limit, PrintStream out) throws InvalidExampleException {
        long start = System.nanoTime();
        Map<String, TrainerConfig> starts = starts(settings, out);
        List<AblationTable.Row> rows = new ArrayList<>();
        try (TeacherModel teacher = TeacherModels.load(settings.teacher())) {
            AblationData data = AblationData.load(settings, teacher, limit);
            TrainerConfig any = starts.values().iterator().next();
            out.printf(Locale.ROOT, "kclip ablation: %s by %s: %d training pairs, %d held out (%d%% by id), %d skipped;"
                            + " teacher %s, K=%d; model %s, %d steps of %d (%d fresh, the rest replayed), seeds %s%n",
                    settings.dataset(), settings.orderBy(), data.train().size(), data.heldOut().size(),
                    Math.round(settings.heldOutShare() * 100), data.skipped(), teacher.modelId(), settings.concepts(),
                    settings.model(), settings.steps(), settings.batchSize(), any.freshPerBatch(), settings.seeds());
            Function<List<String>, List<float[]>> embed =
                    strings -> teacher.embed(strings).stream().map(TeacherEmbedding::vector).toList();
            int teacherDim = teacher.dimension();
            for (Map.Entry<String, TrainerConfig> init : starts.entrySet()) {
                for (Objective objective : settings.objectives()) {
                    List<Map<String, Double>> runs = new ArrayList<>();
                    for (long seed : settings.seeds()) {
                        TrainerConfig base = init.getValue();
                        TrainerConfig config = base
                                .withModel(base.model().withData(teacherDim, settings.concepts()))
                                .withTraining(base.training().withLossWeights(objective.weights()).withSeed(seed));
                        AblationRun.Result result = AblationRun.train(data, config, settings.steps(), embed);
                        runs.add(result.metrics());
                        out.printf(Locale.ROOT, "  %-7s %-15s seed %d: zero-shot %.3f, kNN@10 E_T %.3f, L_clip %.3f,"
                                        + " L_emb %.3f%s (%.0f s)%n", init.getKey(), objective.name(), seed,
                                result.metrics().getOrDefault("zero_shot_top1", Double.NaN),
                                result.metrics().getOrDefault("teacher_knn_overlap_10", Double.NaN),
                                result.metrics().get(AblationRun.FINAL_CONTRASTIVE_LOSS),
                                result.metrics().get(AblationRun.FINAL_EMBEDDING_LOSS),
                                result.skippedSteps() == 0 ? "" : ", " + result.skippedSteps() + " steps skipped",
                                result.seconds());
                    }
                    rows.add(new AblationTable.Row(init.getKey(), objective, runs));
                }
            }
        }
        AblationTable table = new AblationTable(rows);
        out.println();
        out.print(table.text());
        out.printf(Locale.ROOT, "kclip ablation: %d runs in %.1f min%n",
                rows.stream().mapToInt(r -> r.runs().size()).sum(), (System.nanoTime() - start) / 60e9);
        return table;
    }

    /**
     * The starting points: random weights with the teacher-seeded vocabulary (unless the settings leave them out),
     * and the pretrained base when {@code --init} names a directory that exists (said on {@code out} when it does
     * not).
     */
    private static Map<String, TrainerConfig> starts(AblationSettings settings, PrintStream out) {
        // never written to: the runs keep no checkpoints
        TrainerConfig defaults = TrainerConfig.defaults(Path.of(".kclip", "ablation"));
        TrainerConfig trainer = defaults.withModel(ModelConfig.load(settings.model()))
                .withBatching(new TrainerConfig.Batching(settings.batchSize(), defaults.batching().maxWait()));
        Map<String, TrainerConfig> starts = new LinkedHashMap<>();
        if (settings.random()) {
            starts.put(RANDOM, trainer.withTraining(trainer.training().withTextInitTeacher(settings.teacher())));
        }
        Path init = settings.init();
        if (init == null) {
            out.println("kclip ablation: no --init given: running the random-init rows only");
        } else if (!Files.isDirectory(init)) {
            out.println("kclip ablation: --init " + init + " does not exist: running the random-init rows only");
        } else {
            starts.put(baseName(init), trainer.withInit(init.toString()));
        }
        if (starts.isEmpty()) {
            throw new IllegalArgumentException("nothing to run: --no-random needs an --init directory that exists");
        }
        return starts;
    }

    private static String baseName(Path init) {
        Path name = init.toAbsolutePath().normalize().getFileName();
        return name == null ? init.toString() : name.toString();
    }
}
