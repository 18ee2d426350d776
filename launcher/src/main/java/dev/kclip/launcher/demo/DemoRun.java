package dev.kclip.launcher.demo;

import dev.kclip.common.files.Directories;
import dev.kclip.concepts.drift.DriftSettings;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.datasets.read.Dataset;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.PairEntry;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.datasets.read.Skipped;
import dev.kclip.ingest.push.PushSummary;
import dev.kclip.ingest.push.Pusher;
import dev.kclip.ingest.push.progress.PushProgress;
import dev.kclip.launcher.pipeline.Pipeline;
import dev.kclip.launcher.pipeline.PipelineSettings;
import dev.kclip.launcher.report.ReportWriter;
import dev.kclip.schemas.ConceptShare;
import dev.kclip.schemas.DriftLevel;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.Topics;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.loop.TrainerConfig;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo: the whole pipeline on this machine, a real dataset streamed through it group by group, training until
 * the stream is consumed and enough steps are taken, the held-out evaluation, and a report.
 */
public final class DemoRun {

    private final DemoSettings settings;
    private final PrintStream out;
    private final LiveView view;

    public DemoRun(DemoSettings settings, PrintStream out, boolean terminal) {
        this.settings = settings;
        this.out = out;
        this.view = new LiveView(out, terminal, 10);
    }

    /** Runs the demo to the end and returns its summary. */
    public DemoSummary run() {
        long start = System.nanoTime();
        List<PairEntry> entries = streamOrder(readDataset());
        if (settings.fresh()) {
            deleteRecursively(settings.home());
        }
        TrainingHistory history = new TrainingHistory();
        out.printf("kclip demo: %d pairs from %s, streamed by %s; %d%% held out for evaluation%n", entries.size(),
                settings.dataset(), settings.orderBy(), Math.round(settings.heldOutShare() * 100));
        out.println(settings.init().equals(TrainerConfig.NO_INIT) ? "kclip demo: the student starts from random weights"
                : "kclip demo: the student starts from the pretrained " + settings.init());
        Pipeline pipeline = Pipeline.start(pipelineSettings(), null, history, line -> out.println("  " + line));
        if (settings.pauseTrainer()) {
            pipeline.pause(Pipeline.TRAINER);
            out.println("kclip demo: the trainer is paused until every pair is labelled");
        }
        PipelineObserver observer = null;
        DemoProgress progress;
        double pushRate;
        try {
            observer = new PipelineObserver(pipeline.kafka());
            progress = new DemoProgress(entries.size());
            CompletableFuture<PushSummary> push = CompletableFuture.supplyAsync(() -> {
                try (Pusher pusher = Pusher.open(pipeline.kafka(), Topics.PAIRS_RAW.name(), progress)) {
                    return pusher.pushInOrder(datasetName(), entries);
                }
            });
            waitForTraining(pipeline, observer, history, push, progress, start);
            pushRate = push.join().pairsPerSecond();
            view.finish(status(pipeline, observer, history, progress, start));
            out.println("kclip demo: stopping the pipeline (final checkpoint with evaluation) ...");
        } catch (RuntimeException e) {
            closeQuietly(observer);
            pipeline.close();
            throw e;
        }
        pipeline.stopStages();
        awaitCheckpointEvents(observer, history.checkpoints().size());
        observer.close();
        pipeline.close();
        DemoSummary summary = DemoSummary.of(entries.size(), observer, history, pushRate,
                Duration.ofNanos(System.nanoTime() - start));
        Path report = ReportWriter.write(DemoReport.of(summary, history, observer), settings.reportDir());
        summary.print(out, report);
        return summary;
    }

    /** The final checkpoint's event is written while the trainer stops; wait until the observer has read it. */
    private static void awaitCheckpointEvents(PipelineObserver observer, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (observer.checkpointEvents().size() < expected && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(200));
        }
    }

    private PipelineSettings pipelineSettings() {
        PipelineSettings defaults = settings.placement().apply(
                PipelineSettings.defaults(settings.home(), 0, null, settings.teacher())).withMetricsPort(0);
        ConceptJobConfig concepts = defaults.concepts();
        DriftSettings drift = concepts.concepts().drift();
        concepts = concepts
                .withConcepts(concepts.concepts()
                        .withKMeans(concepts.concepts().kmeans().withK(settings.concepts()))
                        .withBootstrapSize(settings.bootstrapSize())
                        .withBatchSize(Math.max(16, settings.driftWindow() / 2))
                        .withDrift(new DriftSettings(settings.driftWindow(), 0, drift.referenceRate(),
                                drift.falseAlarmRate(), drift.warnRate())))
                // labels become visible downstream when a checkpoint commits their transaction
                .withCheckpointing(Duration.ofSeconds(2), concepts.checkpointDir(), concepts.savepointDir());
        boolean pretrained = !settings.init().equals(TrainerConfig.NO_INIT);
        TrainerConfig started = defaults.trainer().withInit(settings.init());
        TrainerConfig trainer = started
                // the label names ("Animals & Nature") appear in no caption: a vocabulary seeded from the teacher's
                // embeddings of each token is what lets a new student's text encoder place them at all (a pretrained
                // CLIP has its own)
                .withTraining(started.training().withTextInitTeacher(pretrained ? null : settings.teacher()))
                .withBatching(new TrainerConfig.Batching(settings.batchSize(), Duration.ofSeconds(1)))
                .withReplay(new TrainerConfig.Replay(0.25, 10_000, (int) settings.minSteps(), Duration.ofSeconds(2)))
                // the stream's groups are the continual evaluation's time buckets
                .withHeldOut(new TrainerConfig.HeldOut(settings.heldOutShare(), 4_096, "label",
                        TrainerConfig.Bucketing.byField(settings.orderBy().equals(settings.labelField()) ? "label"
                                : settings.orderBy())))
                .withCheckpoints(new TrainerConfig.Checkpointing(defaults.trainer().checkpoints().directory(),
                        // by time while pairs are trained, so a pushed pair is in a checkpoint soon after its step
                        Math.max(50, settings.minSteps() / 4), TrainerConfig.Checkpointing.DEFAULT_EVERY, 5));
        return defaults.withConcepts(concepts).withTrainer(trainer);
    }

    private void waitForTraining(Pipeline pipeline, PipelineObserver observer, TrainingHistory history,
            CompletableFuture<PushSummary> push, DemoProgress progress, long start) {
        long deadline = start + settings.timeout().toNanos();
        String lastCounts = "";
        long unchangedSince = System.nanoTime();
        boolean paused = settings.pauseTrainer();
        while (true) {
            view.show(status(pipeline, observer, history, progress, start));
            pipeline.failure().ifPresent(f -> {
                throw new IllegalStateException("a stage failed: " + f);
            });
            if (observer.failure() != null) {
                throw new IllegalStateException("cannot read the pipeline's topics: " + observer.failure().getMessage(),
                        observer.failure());
            }
            if (push.isCompletedExceptionally()) {
                push.join();
            }
            Flow flow = Flow.of(progress, observer, resolvedByTrainer(pipeline, observer, history));
            String counts = flow.toString();
            if (!counts.equals(lastCounts)) {
                lastCounts = counts;
                unchangedSince = System.nanoTime();
            }
            // a pair the ingest de-duplicated is counted nowhere downstream; a quiet minute means the stream is done
            boolean quiet = System.nanoTime() - unchangedSince > Duration.ofMinutes(1).toNanos() && flow.labelled() > 0;
            if (paused && push.isDone() && (flow.labelledAll() || quiet)) {
                out.printf("kclip demo: %d pairs labelled %.1f s after the start; starting the trainer%n", flow.labelled(),
                        (System.nanoTime() - start) / 1e9);
                pipeline.restart(Pipeline.TRAINER);
                paused = false;
                unchangedSince = System.nanoTime();
                quiet = false;
            }
            boolean consumedAll = !paused && push.isDone() && (flow.complete() || quiet);
            if (consumedAll && history.lastStep() >= settings.minSteps()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                out.println("kclip demo: timed out after " + settings.timeout() + "; stopping with what was trained");
                return;
            }
            sleep(Duration.ofSeconds(1));
        }
    }

    /**
     * The counts of each stage, as committed to its topic; {@code resolvedByTrainer} counts stream examples the
     * trainer has trained, held out or dead-lettered (not those still waiting for a batch).
     */
    record Flow(long total, long pushed, long accepted, long rejected, long embedded, long teacherRejected,
            long labelled, long conceptRejected, long resolvedByTrainer) {

        static Flow of(DemoProgress progress, PipelineObserver observer, long resolvedByTrainer) {
            return new Flow(progress.total(), progress.done(), observer.ids(Topics.PAIRS.name()).size(),
                    observer.deadLetters("ingest"), observer.ids(Topics.TEACHER_EMBEDDINGS.name()).size(),
                    observer.deadLetters("teacher"), observer.ids(Topics.TRAIN_EXAMPLES.name()).size(),
                    observer.deadLetters("concepts"), resolvedByTrainer);
        }

        boolean complete() {
            return labelledAll() && resolvedByTrainer >= labelled;
        }

        /** Every pair pushed has been labelled or rejected by a stage before the trainer. */
        boolean labelledAll() {
            return pushed >= total && accepted + rejected >= pushed && embedded + teacherRejected >= accepted
                    && labelled + conceptRejected >= embedded;
        }
    }

    private static long resolvedByTrainer(Pipeline pipeline, PipelineObserver observer, TrainingHistory history) {
        return history.timesTrained().size() + (long) counter(pipeline, "kclip.trainer.examples.held_out")
                + observer.deadLetters("trainer");
    }

    private List<String> status(Pipeline pipeline, PipelineObserver observer, TrainingHistory history,
            DemoProgress progress, long start) {
        Flow flow = Flow.of(progress, observer, resolvedByTrainer(pipeline, observer, history));
        long heldOut = (long) counter(pipeline, "kclip.trainer.examples.held_out");
        List<String> lines = new ArrayList<>();
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        lines.add(String.format("%02d:%02d  pushed %d/%d  accepted %d  rejected %d  embedded %d  labelled %d  trained %d (+%d held out)",
                seconds / 60, seconds % 60, flow.pushed(), flow.total(), flow.accepted(),
                flow.rejected() + flow.teacherRejected() + flow.conceptRejected(), flow.embedded(), flow.labelled(),
                flow.resolvedByTrainer() - heldOut, heldOut));
        List<TrainingHistory.Step> steps = history.steps();
        List<CheckpointManifest> checkpoints = history.checkpoints();
        String checkpoint = checkpoints.isEmpty() ? "none yet" : "v" + checkpoints.get(checkpoints.size() - 1).version()
                + " (step " + checkpoints.get(checkpoints.size() - 1).step() + ")";
        if (steps.isEmpty()) {
            lines.add("       step 0/" + settings.minSteps() + "   checkpoint " + checkpoint);
        } else {
            TrainingHistory.Step s = steps.get(steps.size() - 1);
            lines.add(String.format("       step %d/%d  loss %.3f = emb %.4f + concept %.3f + clip %.3f   checkpoint %s",
                    s.step(), settings.minSteps(), s.total(), s.embedding(), s.concept(), s.contrastive(), checkpoint));
        }
        lines.add("       " + concepts(observer));
        lines.add("       " + drift(observer));
        return lines;
    }

    private static String concepts(PipelineObserver observer) {
        float[] weights = observer.conceptWeights();
        if (weights.length == 0) {
            return "concepts: bootstrapping";
        }
        Map<Integer, List<String>> captions = observer.captionsByConcept();
        List<Integer> largest = new ArrayList<>();
        for (int k = 0; k < weights.length; k++) {
            largest.add(k);
        }
        largest.sort(Comparator.comparingDouble((Integer k) -> -weights[k]));
        StringBuilder line = new StringBuilder("concepts " + weights.length + " (v"
                + observer.snapshots().get(observer.snapshots().size() - 1).getVersion() + "):");
        for (int k : largest.subList(0, Math.min(4, largest.size()))) {
            line.append(String.format("  #%d %.0f [%s]", k, weights[k],
                    ConceptWords.describe(captions.getOrDefault(k, List.of()), 3)));
        }
        return line.toString();
    }

    private static String drift(PipelineObserver observer) {
        List<DriftReport> reports = observer.driftReports();
        if (reports.isEmpty()) {
            return "drift: no window closed yet";
        }
        DriftReport r = reports.get(reports.size() - 1);
        long alerts = reports.stream().filter(d -> d.getLevel() == DriftLevel.ALERT).count();
        String rose = "";
        if (!r.getRising().isEmpty()) {
            ConceptShare top = r.getRising().get(0);
            rose = String.format("; rose #%d to %.0f%%", top.getConceptId(), 100 * top.getShare())
                    + (top.getCaptions().isEmpty() ? "" : " \"" + top.getCaptions().get(0) + "\"");
        }
        return String.format("drift %s (window %d: JS %.3f, novelty %.2f, displacement %.2f%s; %d alert windows so far)",
                r.getLevel(), r.getWindow(), r.getJsDivergence(), r.getNoveltyRate(), r.getCentroidDisplacement(), rose,
                alerts);
    }

    private static double counter(Pipeline pipeline, String name) {
        Counter counter = pipeline.registry().find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    private Dataset readDataset() {
        if (!Files.isRegularFile(settings.dataset())) {
            throw new IllegalArgumentException("dataset " + settings.dataset() + " not found");
        }
        Dataset dataset = new JsonlReader(new ReaderOptions(settings.labelField(),
                ReaderOptions.DEFAULT_CAPTION_TEMPLATE, null, datasetName())).read(settings.dataset());
        for (Skipped skipped : dataset.skipped()) {
            out.println("kclip demo: skipping " + skipped);
        }
        if (!dataset.skipped().isEmpty()) {
            out.printf("kclip demo: skipped %d of the dataset's entries (%s)%n", dataset.skipped().size(),
                    Skipped.describeCounts(Skipped.countByReason(dataset.skipped())));
        }
        if (dataset.entries().isEmpty()) {
            throw new IllegalArgumentException("dataset " + settings.dataset() + " has no usable pairs");
        }
        return dataset;
    }

    private List<PairEntry> streamOrder(Dataset dataset) {
        return streamOrder(dataset.entries(), settings.orderBy(), settings.labelField());
    }

    /**
     * Groups of the {@code orderBy} field (the label when it names {@code labelField}), one after another, in the
     * order each group first appears; the order within a group is the dataset's.
     */
    public static List<PairEntry> streamOrder(List<PairEntry> entries, String orderBy, String labelField) {
        Map<String, List<PairEntry>> groups = new LinkedHashMap<>();
        for (PairEntry entry : entries) {
            String group = orderBy.equals(labelField) ? entry.label() : entry.attribute(orderBy);
            groups.computeIfAbsent(group == null ? "" : group, g -> new ArrayList<>()).add(entry);
        }
        return groups.values().stream().flatMap(List::stream).toList();
    }

    private String datasetName() {
        Path parent = settings.dataset().toAbsolutePath().getParent();
        return parent == null ? settings.dataset().getFileName().toString() : parent.getFileName().toString();
    }

    /** Counts what the push has sent, for the live view. */
    static final class DemoProgress implements PushProgress {
        private final long total;
        private final AtomicLong done = new AtomicLong();

        DemoProgress(long total) {
            this.total = total;
        }

        long total() {
            return total;
        }

        long done() {
            return done.get();
        }

        @Override
        public void started(String source, long count) {
        }

        @Override
        public void advanced(long sent, long bytes) {
            done.set(sent);
        }

        @Override
        public void skipped(Skipped skipped) {
        }

        @Override
        public void finished(PushSummary summary) {
            done.set(summary.pushed() + summary.skippedCount());
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception e) {
                // already failing
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try {
            Directories.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir + ": " + e.getMessage(), e);
        }
    }
}
