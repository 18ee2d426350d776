package dev.kclip.launcher.ablation;

import dev.kclip.launcher.pipeline.Bundled;
import java.nio.file.Path;
import java.util.List;

/**
 * What the ablation trains and how long.
 *
 * @param dataset a JSON Lines dataset ({@code image}, {@code caption}, other fields)
 * @param labelField the field naming each pair's class, for zero-shot evaluation
 * @param orderBy the field whose groups are streamed one after another (in order of first appearance), as the demo
 *     streams them
 * @param heldOutShare share of pair ids (by hash, as the trainer splits) never trained on and evaluated on
 * @param concepts K of the offline K-means that makes the soft labels
 * @param teacher teacher model spec ({@code TeacherModels})
 * @param model the student: a named model config or a JSON file, as {@code kclip train --model}; with
 *     {@code init}, only its {@code W_e} and {@code C} settings count for the base rows
 * @param steps training steps of every run
 * @param batchSize examples per step (the trainer's replay share of them replayed)
 * @param seeds one run per seed and configuration
 * @param init a pretrained CLIP directory for the "base" rows, or null for the "random" rows only
 * @param random whether the "random" rows run (false: only the base rows, e.g. to add them to a table already made)
 * @param objectives the loss weights compared
 */
public record AblationSettings(Path dataset, String labelField, String orderBy, double heldOutShare, int concepts,
        String teacher, String model, int steps, int batchSize, List<Long> seeds, Path init, boolean random, List<Objective> objectives) {

    public static final Path DEFAULT_DATASET = Path.of(Bundled.DATASET);
    public static final String DEFAULT_LABEL_FIELD = "category";
    public static final String DEFAULT_ORDER_BY = "category";
    /** The demo's held-out share. */
    public static final double DEFAULT_HELD_OUT = 0.2;
    /** The demo's K. */
    public static final int DEFAULT_CONCEPTS = 24;
    public static final String DEFAULT_TEACHER = "onnx-minilm";
    /** The trainer's default student. */
    public static final String DEFAULT_MODEL = "tiny";
    public static final int DEFAULT_STEPS = 300;
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final List<Long> DEFAULT_SEEDS = List.of(1L, 2L, 3L);

    public AblationSettings {
        if (steps < 1 || batchSize < 2 || concepts < 1) {
            throw new IllegalArgumentException("steps must be at least 1, batch size 2, concepts 1");
        }
        if (seeds.isEmpty() || objectives.isEmpty()) {
            throw new IllegalArgumentException("at least one seed and one objective are needed");
        }
        seeds = List.copyOf(seeds);
        objectives = List.copyOf(objectives);
    }
}
