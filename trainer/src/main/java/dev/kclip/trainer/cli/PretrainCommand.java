package dev.kclip.trainer.cli;

import dev.kclip.formats.safetensors.StoredType;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.pretrain.PretrainSettings;
import dev.kclip.trainer.pretrain.Pretrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kclip train pretrain}: a base student trained offline from a dataset file, written as a {@code --init} directory. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pretrain a student offline on a JSONL corpus (epochs, warm-up + cosine decay, distillation from"
                + " the teacher plus contrastive) and write it in Hugging Face CLIPModel layout, for --init.")
public final class PretrainCommand implements Callable<Integer> {

    /** Where the defaults come from: written once, in {@link PretrainSettings#defaults}. */
    private static final PretrainSettings DEFAULTS = PretrainSettings.defaults(Path.of("pairs.jsonl"), Path.of("base"));

    @Option(names = "--dataset", required = true, paramLabel = "FILE.jsonl",
            description = "The corpus: image, caption; keywords, subcategory and the label field make caption variants.")
    Path dataset;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the base is written.")
    Path out;

    @Option(names = "--model", paramLabel = "NAME|FILE", description = "Student configuration (default: ${DEFAULT-VALUE}).")
    String model = DEFAULTS.model();

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the shuffled corpus (default: ${DEFAULT-VALUE}).")
    int epochs = DEFAULTS.epochs();

    @Option(names = "--max-steps", paramLabel = "N", description = "Stop after N steps; 0 = the epochs decide (default: ${DEFAULT-VALUE}).")
    long maxSteps = DEFAULTS.maxSteps();

    @Option(names = "--batch-size", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize = DEFAULTS.batchSize();

    @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate = DEFAULTS.learningRate();

    @Option(names = "--warmup-steps", paramLabel = "N", description = "Linear warm-up, at most a tenth of the run (default: ${DEFAULT-VALUE}).")
    long warmupSteps = DEFAULTS.warmupSteps();

    @Option(names = "--alpha", description = "Weight of the distillation loss (default: ${DEFAULT-VALUE}).")
    double alpha = DEFAULTS.alpha();

    @Option(names = "--gamma", description = "Weight of the contrastive loss (default: ${DEFAULT-VALUE}).")
    double gamma = DEFAULTS.gamma();

    @Option(names = "--seed", description = "Default: ${DEFAULT-VALUE}.")
    long seed = DEFAULTS.seed();

    @Option(names = "--teacher", paramLabel = "SPEC", description = "Teacher distilled from (default: ${DEFAULT-VALUE}).")
    String teacher = DEFAULTS.teacher();

    @Option(names = "--held-out", paramLabel = "SHARE",
            description = "Share of pairs (by id) not trained on, evaluated at the end (default: ${DEFAULT-VALUE}).")
    double heldOut = DEFAULTS.heldOutShare();

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N pairs; 0 = all (default: ${DEFAULT-VALUE}).")
    int limit = DEFAULTS.limit();

    @Option(names = "--dtype", paramLabel = "F16|F32", description = "Stored weight type (default: ${DEFAULT-VALUE}).")
    StoredType dtype = DEFAULTS.dtype();

    @Option(names = "--label-field", paramLabel = "FIELD",
            description = "Field naming each pair's class: zero-shot labels and caption variants (default: ${DEFAULT-VALUE}).")
    String labelField = DEFAULTS.labelField();

    /** The settings these options describe. */
    PretrainSettings settings() {
        return new PretrainSettings(dataset, out, model, epochs, maxSteps, batchSize, learningRate, warmupSteps, alpha,
                gamma, seed, teacher, heldOut, limit, dtype, labelField);
    }

    @Override
    public Integer call() throws IOException, InvalidExampleException {
        Pretrainer.Result result = new Pretrainer(settings(), System.out).run();
        Map<String, Double> after = result.heldOutAfter();
        if (!after.isEmpty()) {
            System.out.printf("held out %d: zero-shot top-1 %.3f (majority %.3f), balanced %.3f over %.0f classes, top-5 %.3f%n",
                    result.heldOutPairs(), after.get("zero_shot_top1"), after.get("zero_shot_majority_share"),
                    after.get("zero_shot_balanced_top1"), after.get("zero_shot_classes"), after.get("zero_shot_top5"));
        }
        return 0;
    }
}
