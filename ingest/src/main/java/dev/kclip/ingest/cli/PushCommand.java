package dev.kclip.ingest.cli;

import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.datasets.read.Dataset;
import dev.kclip.datasets.read.DatasetFormat;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.ingest.push.PushOptions;
import dev.kclip.ingest.push.Pusher;
import dev.kclip.ingest.push.progress.PushProgress;
import dev.kclip.schemas.Topics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kclip push PATH}: reads a dataset and produces its pairs to the raw topic. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Push a dataset's image-caption pairs to kclip.pairs.raw (ingest validates them).")
public final class PushCommand implements Callable<Integer> {

    /** How progress is shown. */
    enum ProgressStyle { AUTO, BAR, LINES, NONE }

    @Mixin
    KafkaOptions kafka;

    @Parameters(paramLabel = "PATH",
            description = "The dataset: a .jsonl, .tsv or COCO .json file, or a folder (class folders, CUB-200-2011, AWA2).")
    Path path;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Dataset layout: ${COMPLETION-CANDIDATES} (default: inferred from PATH).")
    DatasetFormat format;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic to push to (default: ${DEFAULT-VALUE}).")
    String topic = Topics.PAIRS_RAW.name();

    @Option(names = "--rate", paramLabel = "PAIRS_PER_S",
            description = "Push at most this many pairs per second (default: as fast as possible).")
    double rate = PushOptions.ALL_IN_ORDER.ratePerSecond();

    @Option(names = "--limit", paramLabel = "N", description = "Push at most N pairs (default: all).")
    long limit = PushOptions.ALL_IN_ORDER.limit();

    @Option(names = "--shuffle", description = "Push in a random order (repeatable with --seed).")
    boolean shuffle;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of --shuffle (default: a random one, printed).")
    Long seed;

    @Option(names = "--source", paramLabel = "NAME",
            description = "Dataset name recorded in each pair (default: from PATH, e.g. emoji-64).")
    String source;

    @Option(names = "--label-field", paramLabel = "FIELD",
            description = "jsonl: the field holding the class label (default: ${DEFAULT-VALUE}).")
    String labelField = ReaderOptions.DEFAULT_LABEL_FIELD;

    @Option(names = "--caption-template", paramLabel = "TEXT",
            description = "folder, cub, awa2: caption made from the class name (default: \"${DEFAULT-VALUE}\").")
    String captionTemplate = ReaderOptions.DEFAULT_CAPTION_TEMPLATE;

    @Option(names = "--image-root", paramLabel = "DIR",
            description = "tsv, coco: folder the image paths are relative to (default: the file's folder).")
    Path imageRoot;

    @Option(names = "--allow-outside-root",
            description = "Read images outside the dataset's folder too (absolute paths, .., symlinks leaving it); "
                    + "without it such entries are skipped.")
    boolean allowOutsideRoot;

    @Option(names = "--progress", paramLabel = "STYLE",
            description = "auto (a bar on a terminal, else a line every 5 s), bar, lines or none.")
    ProgressStyle progress = ProgressStyle.AUTO;

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        DatasetFormat layout = format != null ? format : DatasetFormat.infer(path);
        Dataset dataset = layout.reader(new ReaderOptions(labelField, captionTemplate, imageRoot, source, allowOutsideRoot)).read(path);
        long shuffleSeed = seed != null ? seed : new Random().nextLong();
        if (shuffle) {
            out.println("shuffling with --seed " + shuffleSeed);
        }
        PushOptions options = new PushOptions(rate, limit, shuffle, shuffleSeed);
        try (Pusher pusher = Pusher.open(kafka.connection(), topic, progress(out))) {
            pusher.push(dataset, options);
        }
        return 0;
    }

    private PushProgress progress(PrintStream out) {
        return switch (progress) {
            case AUTO -> PushProgress.auto(out);
            case BAR -> PushProgress.bar(out);
            case LINES -> PushProgress.lines(out);
            case NONE -> PushProgress.summaryOnly(out);
        };
    }
}
