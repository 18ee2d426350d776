package dev.kclip.concepts.bench;

import dev.kclip.concepts.drift.DriftSettings;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.OnlineSettings;
import dev.kclip.concepts.stream.ConceptState;
import dev.kclip.concepts.stream.ConceptStream;
import dev.kclip.concepts.stream.EmbeddingInput;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftLevel;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.LabelledPair;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * How the calibrated drift behaves on real teacher embeddings, through {@link ConceptStream} (the code the Flink
 * operator runs): the false-alarm rate per window on a stationary stream (the captions shuffled again in every
 * pass), and the detection delay in records when a category the reference never saw starts to make up a share of
 * the stream. Run with {@code java -cp <module classpath> dev.kclip.concepts.bench.DriftBench FIXTURE [options]}.
 */
@Command(name = "drift-bench", mixinStandardHelpOptions = true,
        description = "False-alarm rate and detection delay of the calibrated drift on a fixture of embeddings.")
public final class DriftBench implements Callable<Integer> {

    private static final String TEACHER = "onnx-minilm";
    private static final byte[] NO_IMAGE = {0};

    /**
     * What to measure.
     *
     * @param k concepts
     * @param bootstrap records of the bootstrap, the reference period (0 = the default, max(2,048, 20·K))
     * @param window records per drift window
     * @param windows stationary windows judged for the false-alarm rate (after those holding bootstrap records and
     *     the reference period)
     * @param falseAlarmRate the configured ALERT rate
     * @param warnRate the configured WARN rate
     * @param newCategory the category held out of the reference, then streamed
     * @param newShare its share of the stream after the change
     * @param trials change trials (another shuffle and change point each)
     * @param seed the first shuffle's seed
     */
    public record Plan(int k, int bootstrap, int window, int windows, double falseAlarmRate, double warnRate,
            String newCategory, double newShare, int trials, long seed) {

        /** The bench's standard run. */
        public static Plan standard() {
            return new Plan(32, 0, 500, 300, 0.01, 0.05, "Flags", 0.5, 20, 1);
        }
    }

    /**
     * What was measured.
     *
     * @param windows stationary windows judged
     * @param alerts of those, ALERT
     * @param warnings of those, WARN or ALERT
     * @param delays records from the change to the end of the first ALERT window, per trial (−1: none within the
     *     trial's windows)
     * @param alertsBeforeChange ALERT windows before the change over all trials (windows after the bootstrap)
     * @param windowsBeforeChange windows judged before the change over all trials
     */
    public record Result(int windows, int alerts, int warnings, List<Long> delays, int alertsBeforeChange,
            int windowsBeforeChange) {

        public double falseAlarmRate() {
            return alerts / (double) windows;
        }

        public double warnRate() {
            return warnings / (double) windows;
        }

        /** The median delay of the trials that detected the change; −1 when none did. */
        public long medianDelay() {
            List<Long> found = delays.stream().filter(d -> d >= 0).sorted().toList();
            return found.isEmpty() ? -1 : found.get(found.size() / 2);
        }
    }

    @Parameters(index = "0", description = "The fixture (emoji64-minilm.bin.gz).")
    Path fixture;

    private static final Plan STANDARD = Plan.standard();

    @Option(names = "--k", description = "Concepts (default: ${DEFAULT-VALUE}).")
    int k = STANDARD.k();

    @Option(names = "--bootstrap",
            description = "Bootstrap records; 0 = max(2,048, 20·K) (default: ${DEFAULT-VALUE}).")
    int bootstrap = STANDARD.bootstrap();

    @Option(names = "--window", description = "Records per drift window (default: ${DEFAULT-VALUE}).")
    int window = STANDARD.window();

    @Option(names = "--windows", description = "Stationary windows judged (default: ${DEFAULT-VALUE}).")
    int windows = STANDARD.windows();

    @Option(names = "--false-alarm-rate", description = "Configured ALERT rate (default: ${DEFAULT-VALUE}).")
    double falseAlarmRate = STANDARD.falseAlarmRate();

    @Option(names = "--warn-rate", description = "Configured WARN rate (default: ${DEFAULT-VALUE}).")
    double warnRate = STANDARD.warnRate();

    @Option(names = "--new-category", description = "Category streamed after the change (default: ${DEFAULT-VALUE}).")
    String newCategory = STANDARD.newCategory();

    @Option(names = "--new-share", description = "Its share after the change (default: ${DEFAULT-VALUE}).")
    double newShare = STANDARD.newShare();

    @Option(names = "--trials", description = "Change trials (default: ${DEFAULT-VALUE}).")
    int trials = STANDARD.trials();

    public static void main(String[] args) {
        System.exit(new CommandLine(new DriftBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = new Plan(k, bootstrap, window, windows, falseAlarmRate, warnRate, newCategory, newShare, trials,
                STANDARD.seed());
        run(EmbeddedCaptions.read(fixture), plan, System.out);
        return 0;
    }

    /** Measures {@code plan} on {@code captions}, printing the figures to {@code out}. */
    public static Result run(List<EmbeddedCaptions.Caption> captions, Plan plan, PrintStream out) {
        ConceptSettings settings = settings(plan);
        int bootstrap = settings.effectiveBootstrapSize();
        // windows holding bootstrap records are in-sample and the next one is the reference period: not judged
        int skipped = (bootstrap + plan.window() - 1) / plan.window() + 1;

        List<DriftReport> stationary = stream(settings, shuffledPasses(captions, new Random(plan.seed()),
                bootstrap + (long) (skipped + plan.windows()) * plan.window()));
        List<DriftReport> judged = stationary.subList(skipped, stationary.size());
        int alerts = (int) judged.stream().filter(r -> r.getLevel() == DriftLevel.ALERT).count();
        // why each false alarm of the stationary stream was raised: which statistic, and any concept events
        judged.stream().filter(r -> r.getLevel() == DriftLevel.ALERT).forEach(r -> out.printf(Locale.ROOT,
                "  false alarm, window %d: %s%s%n", r.getWindow(), String.join("; ", r.getReasons()),
                r.getConceptEvents().isEmpty() ? "" : " (" + r.getConceptEvents().size() + " concept events)"));
        int warnings = (int) judged.stream().filter(r -> r.getLevel() != DriftLevel.OK).count();

        List<EmbeddedCaptions.Caption> before = captions.stream()
                .filter(c -> !c.category().equals(plan.newCategory())).toList();
        List<EmbeddedCaptions.Caption> fresh = captions.stream()
                .filter(c -> c.category().equals(plan.newCategory())).toList();
        if (fresh.isEmpty()) {
            throw new IllegalArgumentException("no caption of category " + plan.newCategory());
        }
        List<Long> delays = new ArrayList<>();
        int alertsBefore = 0;
        int windowsBefore = 0;
        int afterWindows = 20;
        Random trialSeeds = new Random(plan.seed() + 1);
        for (int t = 0; t < plan.trials(); t++) {
            // seeds drawn from one generator: java.util.Random's first draws of consecutive seeds are alike
            Random random = new Random(trialSeeds.nextLong());
            // the change falls a random way into the window after some stationary ones
            long change = bootstrap + (long) (skipped + 4) * plan.window() + random.nextInt(plan.window());
            List<EmbeddedCaptions.Caption> input = shuffledPasses(before, random, change);
            List<EmbeddedCaptions.Caption> oldPart = shuffledPasses(before, random, afterWindows * plan.window());
            List<EmbeddedCaptions.Caption> newPart = shuffledPasses(fresh, random, afterWindows * plan.window());
            for (int i = 0, o = 0, n = 0; i < afterWindows * plan.window(); i++) {
                input.add(random.nextDouble() < plan.newShare() ? newPart.get(n++) : oldPart.get(o++));
            }
            List<DriftReport> reports = stream(settings, input);
            long delay = -1;
            long end = 0;
            for (DriftReport r : reports) {
                end += r.getRecords();
                if (end <= change && r.getWindow() >= skipped) {
                    windowsBefore++;
                    if (r.getLevel() == DriftLevel.ALERT) {
                        alertsBefore++;
                        out.printf(Locale.ROOT, "  false alarm before the change, trial %d window %d: %s%n",
                                t, r.getWindow(), String.join("; ", r.getReasons()));
                    }
                } else if (end > change && r.getLevel() == DriftLevel.ALERT) {
                    delay = end - change;
                    break;
                }
            }
            delays.add(delay);
        }
        Result result = new Result(judged.size(), alerts, warnings, delays, alertsBefore, windowsBefore);
        out.printf(Locale.ROOT, "stationary: %d windows of %d records (K=%d, bootstrap %d), ALERT %d (rate %.4f,"
                + " configured %.4f), WARN or ALERT %d (rate %.4f, configured %.4f)%n", result.windows(),
                plan.window(), plan.k(), bootstrap, alerts, result.falseAlarmRate(), plan.falseAlarmRate(), warnings,
                result.warnRate(), plan.warnRate());
        out.printf(Locale.ROOT, "change: %.0f%% '%s' from a random point; detection delay in records per trial %s;"
                + " median %d; false alarms before the change %d of %d windows%n", 100 * plan.newShare(),
                plan.newCategory(), delays, result.medianDelay(), alertsBefore, windowsBefore);
        return result;
    }

    private static ConceptSettings settings(Plan plan) {
        ConceptSettings defaults = ConceptSettings.defaults();
        return new ConceptSettings(KMeansSettings.defaults(plan.k()), OnlineSettings.defaults(),
                new DriftSettings(plan.window(), 0, DriftSettings.defaults().referenceRate(), plan.falseAlarmRate(),
                        plan.warnRate()), plan.bootstrap(), defaults.batchSize(), 1, 0, defaults.lifecycle());
    }

    /** {@code count} captions: passes over {@code captions}, each in a new random order. */
    private static List<EmbeddedCaptions.Caption> shuffledPasses(List<EmbeddedCaptions.Caption> captions,
            Random random, long count) {
        List<EmbeddedCaptions.Caption> out = new ArrayList<>();
        List<EmbeddedCaptions.Caption> pass = new ArrayList<>(captions);
        while (out.size() < count) {
            Collections.shuffle(pass, random);
            out.addAll(pass.subList(0, (int) Math.min(pass.size(), count - out.size())));
        }
        return out;
    }

    /** The drift reports of one teacher's stream of {@code input}, a second apart. */
    private static List<DriftReport> stream(ConceptSettings settings, List<EmbeddedCaptions.Caption> input) {
        List<DriftReport> reports = new ArrayList<>();
        ConceptStream stream = new ConceptStream(TEACHER, settings, ConceptState.empty());
        ConceptStream.Outputs outputs = new ConceptStream.Outputs() {
            @Override
            public void label(LabelledPair label) {
            }

            @Override
            public void snapshot(CentroidSnapshot snapshot) {
            }

            @Override
            public void drift(DriftReport report) {
                reports.add(report);
            }

            @Override
            public void rejected(DeadLetter letter) {
                throw new IllegalStateException("rejected: " + letter.getMessage());
            }
        };
        Instant now = Instant.EPOCH;
        for (int i = 0; i < input.size(); i++) {
            stream.onRecord(new EmbeddingInput(pair(i, input.get(i)), "bench", 0, i), now, outputs);
        }
        return reports;
    }

    private static EmbeddedPair pair(long i, EmbeddedCaptions.Caption c) {
        Instant time = Instant.ofEpochSecond(i);
        ImageCaptionPair pair = ImageCaptionPair.newBuilder()
                .setId(Long.toString(i)).setCaption(c.caption()).setImage(ByteBuffer.wrap(NO_IMAGE))
                .setMediaType("image/png").setWidth(1).setHeight(1).setSource("drift-bench").setLabel(c.category())
                .setAttributes(Map.of()).setEventTime(time).setIngestTime(time).build();
        return EmbeddedPair.newBuilder().setPair(pair).setTeacherModelId(TEACHER)
                .setEmbedding(Float32Vectors.encode(c.vector())).setDim(c.vector().length).setTokenCount(0)
                .setTruncated(false).setEmbeddedTime(time).build();
    }
}
