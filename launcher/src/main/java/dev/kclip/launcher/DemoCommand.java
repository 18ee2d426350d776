package dev.kclip.launcher;

import dev.kclip.launcher.ablation.AblationSettings;
import dev.kclip.launcher.demo.DemoRun;
import dev.kclip.launcher.demo.DemoSettings;
import dev.kclip.teacher.onnx.OnnxMiniLmTeacher;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.launcher.pipeline.Bundled;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on a real dataset (default emoji-64), train, evaluate on a held-out split, and write report/index.html.")
final class DemoCommand implements Callable<Integer> {

    /** emoji-64's class field: the demo's labels and its streaming order. */
    private static final String CATEGORY = "category";

    @Option(names = "--dataset", paramLabel = "FILE.jsonl",
            description = "JSON Lines dataset: image, caption and other fields (default: the bundled emoji-64).")
    Path dataset;

    @Option(names = "--label-field", paramLabel = "NAME",
            description = "Field naming each pair's class, for zero-shot evaluation (default: ${DEFAULT-VALUE}).")
    String labelField = CATEGORY;

    @Option(names = "--order-by", paramLabel = "NAME",
            description = "Field whose groups are streamed one after another, so new concepts arrive mid-stream (default: ${DEFAULT-VALUE}).")
    String orderBy = CATEGORY;

    @Option(names = "--held-out", defaultValue = "0.2", paramLabel = "SHARE",
            description = "Share of pairs (by id) never trained on, for evaluation (default: ${DEFAULT-VALUE}).")
    double heldOut;

    @Option(names = "--concepts", defaultValue = "24", paramLabel = "K", description = "K-means concepts (default: ${DEFAULT-VALUE}).")
    int concepts;

    @Option(names = "--bootstrap-size", defaultValue = "400", paramLabel = "B",
            description = "Records buffered before the first K-means (default: ${DEFAULT-VALUE}).")
    int bootstrapSize;

    @Option(names = "--drift-window", defaultValue = "100", paramLabel = "RECORDS",
            description = "Records per drift report (default: ${DEFAULT-VALUE}).")
    int driftWindow;

    @Option(names = "--steps", defaultValue = "800", paramLabel = "N",
            description = "Training steps to reach; once the stream is consumed the trainer continues on replay (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N", description = "Training batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--teacher", paramLabel = "SPEC", description = "Teacher model (default: ${DEFAULT-VALUE}).")
    String teacher = OnnxMiniLmTeacher.SPEC;

    @Option(names = "--home", paramLabel = "DIR",
            description = "State folder of the demo's pipeline, cleared first (default: ${DEFAULT-VALUE}).")
    Path home = UpCommand.DEFAULT_HOME.resolve("demo");

    @Option(names = "--keep-state", description = "Continue from the state folder instead of clearing it.")
    boolean keepState;

    @Option(names = "--report", defaultValue = "report", paramLabel = "DIR", description = "Where index.html goes (default: ${DEFAULT-VALUE}).")
    Path report;

    @Mixin
    PlacementOptions placement;

    @Option(names = "--init", paramLabel = "DIR|none",
            description = "Start the student from this pretrained CLIP directory (as kclip train --init), or none for"
                    + " random weights (default: the bundled " + Bundled.BASE + ").")
    String init;

    @Option(names = "--timeout", defaultValue = "15", paramLabel = "MINUTES",
            description = "Stop waiting after this long and report what was trained (default: ${DEFAULT-VALUE}).")
    long timeoutMinutes;

    @Option(names = "--pause-trainer",
            description = "Start the trainer only once every pair is labelled: the printed end-to-end rate (push ->"
                    + " labelled example) is then the pipeline's without the trainer on the same cores; freshness"
                    + " includes the pause.")
    boolean pauseTrainer;

    @Override
    public Integer call() {
        Path data = dataset != null ? dataset : Bundled.dataset();
        DemoSettings settings = new DemoSettings(home, data, labelField, orderBy, heldOut, concepts, bootstrapSize,
                driftWindow, steps, batchSize, teacher, report, Duration.ofMinutes(timeoutMinutes), !keepState,
                placement.init(init, System.out), placement.placement(), pauseTrainer);
        new DemoRun(settings, System.out, dev.kclip.launcher.demo.LiveView.isTerminal()).run();
        return 0;
    }
}
