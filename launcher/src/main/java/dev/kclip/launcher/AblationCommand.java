package dev.kclip.launcher;

import dev.kclip.launcher.ablation.AblationBenchmark;
import dev.kclip.launcher.ablation.AblationSettings;
import dev.kclip.launcher.pipeline.Bundled;
import dev.kclip.launcher.ablation.AblationTable;
import dev.kclip.launcher.ablation.Objective;
import dev.kclip.trainer.data.InvalidExampleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kclip ablation}: does distillation (and the concept loss) help? */
@Command(name = "ablation", mixinStandardHelpOptions = true,
        description = {"Train students from the same stream, seeds and steps with contrastive only, + distillation,"
                + " + concepts and all three (the paper), from random weights and from --init, and tabulate their"
                + " held-out figures (mean ± sd over the seeds). Offline: no Kafka."})
final class AblationCommand implements Callable<Integer> {

    @Option(names = "--dataset", paramLabel = "FILE.jsonl",
            description = "JSON Lines dataset: image, caption and other fields (default: the bundled emoji-64).")
    Path dataset;

    @Option(names = "--label-field", paramLabel = "NAME", description = "Field naming each pair's class (default: ${DEFAULT-VALUE}).")
    String labelField = AblationSettings.DEFAULT_LABEL_FIELD;

    @Option(names = "--order-by", paramLabel = "NAME",
            description = "Field whose groups are streamed one after another, as the demo streams them (default: ${DEFAULT-VALUE}).")
    String orderBy = AblationSettings.DEFAULT_ORDER_BY;

    @Option(names = "--held-out", paramLabel = "SHARE", description = "Share of pairs (by id hash) evaluated on, never trained (default: ${DEFAULT-VALUE}).")
    double heldOut = AblationSettings.DEFAULT_HELD_OUT;

    @Option(names = "--concepts", paramLabel = "K", description = "K-means concepts of the soft labels (default: ${DEFAULT-VALUE}).")
    int concepts = AblationSettings.DEFAULT_CONCEPTS;

    @Option(names = "--teacher", paramLabel = "SPEC", description = "Teacher model (default: ${DEFAULT-VALUE}).")
    String teacher = AblationSettings.DEFAULT_TEACHER;

    @Option(names = "--model", paramLabel = "NAME|FILE",
            description = "Student model, as kclip train --model; with --init only its W_e and C settings count (default: ${DEFAULT-VALUE}).")
    String model = AblationSettings.DEFAULT_MODEL;

    @Option(names = "--steps", paramLabel = "N", description = "Training steps of every run (default: ${DEFAULT-VALUE}).")
    int steps = AblationSettings.DEFAULT_STEPS;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize = AblationSettings.DEFAULT_BATCH_SIZE;

    @Option(names = "--seeds", split = ",", paramLabel = "SEED", description = "One run per seed and configuration (default: ${DEFAULT-VALUE}).")
    List<Long> seeds = new ArrayList<>(AblationSettings.DEFAULT_SEEDS);

    @Option(names = "--init", paramLabel = "DIR",
            description = "A pretrained CLIP directory (Hugging Face layout) for the base rows; without it, or when it is absent, only the random rows run.")
    Path init;

    @Option(names = "--no-random", description = "Run only the --init rows (to add them to a table of the random rows).")
    boolean noRandom;

    @Option(names = "--limit", paramLabel = "N", description = "Use at most N pairs, evenly spaced over the stream (default: all).")
    int limit;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Also write the table as Markdown to FILE.")
    Path markdown;

    @Override
    public Integer call() throws InvalidExampleException, IOException {
        AblationSettings settings = new AblationSettings(dataset != null ? dataset : Bundled.dataset(),
                labelField, orderBy, heldOut, concepts, teacher, model, steps, batchSize, seeds, init, !noRandom, Objective.STANDARD);
        AblationTable table = AblationBenchmark.run(settings, limit, System.out);
        if (markdown != null) {
            Path parent = markdown.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(markdown, table.markdown());
            System.out.println("kclip ablation: table written to " + markdown);
        }
        return 0;
    }
}
