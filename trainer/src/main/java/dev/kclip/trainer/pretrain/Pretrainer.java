package dev.kclip.trainer.pretrain;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.common.files.Directories;
import dev.kclip.formats.tokenizer.TokenizerJson;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.HuggingFaceExport;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.DecodedImages;
import dev.kclip.trainer.data.HeldOutSplit;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.data.VocabularyTrim;
import dev.kclip.trainer.eval.Evaluator;
import dev.kclip.trainer.loop.StepReport;
import dev.kclip.trainer.loop.TrainingSession;
import dev.kclip.trainer.loop.TrainingSettings;
import dev.kclip.trainer.loss.LossWeights;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Trains a base student offline from a corpus file with the project's own {@link TrainingSession}, and writes it as
 * a Hugging Face CLIPModel directory that {@code --init} starts a student from.
 *
 * <p>The run: read the corpus and its caption variants; hold out a share of pair ids; cut the tokenizer's
 * vocabulary to what the corpus and the zero-shot prompts use ({@link VocabularyTrim}); embed every caption variant
 * once with the teacher; then epochs over the shuffled training pairs, each pair under a random one of its
 * captions, images decoded once and augmented as the stream trainer does, one linear warm-up and one cosine decay
 * (to a tenth) over the whole run. Losses: distillation to the teacher (α) and contrastive (γ); β = 0, since
 * concepts are the stream's K-means and {@code C} starts fresh in a student initialised from the base. At the end
 * the held-out pairs are evaluated (zero-shot over the labels with {@link Evaluator#DEFAULT_PROMPT}), the weights
 * exported, and a README, {@code pretrain.json} and the corpus' licence files written beside them.
 */
public final class Pretrainer {

    /** The machine-readable record of a run, in the output directory. */
    public static final String RECORD = "pretrain.json";
    /** The human-readable account of a run, in the output directory. */
    public static final String README = "README.md";
    /** The corpus' own README, copied for its attribution. */
    public static final String DATASET_README = "DATASET.md";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String WORK = ".pretrain-work";

    private final PretrainSettings settings;
    private final PrintStream log;

    /**
     * What a run did and measured.
     *
     * @param steps optimizer steps taken
     * @param epochs passes over the training pairs (the last may be partial when {@code maxSteps} stopped it)
     * @param trainPairs pairs trained on
     * @param heldOutPairs pairs held out and evaluated
     * @param captions distinct caption variants (each embedded once by the teacher)
     * @param vocabularySize tokens of the trimmed vocabulary
     * @param fullVocabularySize tokens of the vocabulary it was trimmed from
     * @param trainSeconds wall time of the training steps
     * @param firstEpoch mean losses of the first epoch ({@code embedding}, {@code contrastive}, {@code total})
     * @param lastEpoch mean losses of the last epoch
     * @param heldOutBefore held-out metrics of the freshly initialised student
     * @param heldOutAfter held-out metrics of the trained student
     * @param teacherModelId the teacher distilled from
     */
    public record Result(long steps, int epochs, int trainPairs, int heldOutPairs, int captions, int vocabularySize,
            int fullVocabularySize, double trainSeconds, Map<String, Double> firstEpoch, Map<String, Double> lastEpoch,
            Map<String, Double> heldOutBefore, Map<String, Double> heldOutAfter, String teacherModelId) {
    }

    public Pretrainer(PretrainSettings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    /**
     * Runs the pretraining and writes the base into {@code settings.out()}.
     *
     * @throws IllegalArgumentException when the corpus has fewer training pairs than a batch, or a setting is invalid
     */
    public Result run() throws IOException, InvalidExampleException {
        try (Trained trained = train()) {
            trained.write();
            return trained.result();
        }
    }

    /**
     * A trained student not yet written: its session (to look at before it is written) and what the run measured.
     * Closing it releases the session and the working folder.
     */
    public final class Trained implements AutoCloseable {

        private final TrainingSession session;
        private final TrainingSettings training;
        private final Result result;
        private final Path work;

        private Trained(TrainingSession session, TrainingSettings training, Result result, Path work) {
            this.session = session;
            this.training = training;
            this.result = result;
            this.work = work;
        }

        public TrainingSession session() {
            return session;
        }

        public Result result() {
            return result;
        }

        /** Writes the export, {@code pretrain.json}, the README and the corpus' licence files into the output directory. */
        public void write() throws IOException {
            PretrainSettings s = settings;
            CheckpointManifest manifest = CheckpointManifest.builder().runId("pretrain").step(session.step())
                    .counts(result.trainPairs(), session.step() * s.batchSize(), result.heldOutPairs(), 0)
                    .model(session.config()).training(training.toJson()).teacherModelId(result.teacherModelId())
                    .concepts(0, null).optimizer(session.step(), 1.0).metrics(result.heldOutAfter())
                    .createdTime(Instant.now().toString()).build();
            StoredCheckpoint checkpoint = new CheckpointStore(work.resolve("checkpoints"), 1)
                    .write(manifest, session.checkpointFiles());
            HuggingFaceExport.export(checkpoint, s.out(), s.dtype());
            copyLicences();
            Files.write(s.out().resolve(RECORD), JSON.writeValueAsBytes(record(result)));
            Files.writeString(s.out().resolve(README), BaseReadme.text(s, result, licenceFiles()));
            log.printf(Locale.ROOT, "pretrain: base written to %s%n", s.out());
        }

        @Override
        public void close() throws IOException {
            session.close();
            Directories.deleteRecursively(work);
        }
    }

    /**
     * Trains the student (see the class comment); the caller writes and closes what it returns.
     *
     * @throws IllegalArgumentException when the corpus has fewer training pairs than a batch, or a setting is invalid
     */
    public Trained train() throws IOException, InvalidExampleException {
        PretrainSettings s = settings;
        PretrainCorpus corpus = PretrainCorpus.read(s.dataset(), s.labelField(), s.limit());
        HeldOutSplit split = new HeldOutSplit(s.heldOutShare());
        List<CorpusPair> train = corpus.pairs().stream().filter(p -> !split.isHeldOut(p.id())).toList();
        List<CorpusPair> heldOut = corpus.pairs().stream().filter(p -> split.isHeldOut(p.id())).toList();
        if (train.size() < s.batchSize()) {
            throw new IllegalArgumentException(s.dataset() + " has " + train.size() + " training pairs, fewer than a batch of "
                    + s.batchSize());
        }
        long perEpoch = train.size() / s.batchSize();
        long steps = s.maxSteps() > 0 ? Math.min(s.maxSteps(), perEpoch * s.epochs()) : perEpoch * s.epochs();
        long warmup = Math.min(s.warmupSteps(), steps / 10);
        log.printf(Locale.ROOT, "pretrain: %,d pairs (%,d held out, %d skipped), %d steps of %d (%d epochs), warm-up %d%n",
                corpus.pairs().size(), heldOut.size(), corpus.skipped().size(), steps, s.batchSize(), s.epochs(), warmup);

        Files.createDirectories(s.out());
        Path work = s.out().resolve(WORK);
        Directories.deleteRecursively(work);
        Files.createDirectories(work);

        ModelConfig base = ModelConfig.load(s.model());
        Set<String> labels = new TreeSet<>();
        corpus.pairs().stream().map(CorpusPair::label).filter(l -> l != null).forEach(labels::add);
        Set<String> texts = new LinkedHashSet<>();
        train.forEach(p -> texts.addAll(p.captions()));
        heldOut.forEach(p -> texts.add(p.captions().get(0)));
        TokenizerJson full = TokenizerJson.read(base.tokenizer());
        Set<String> vocabularyTexts = new LinkedHashSet<>(texts);
        labels.forEach(l -> vocabularyTexts.add(Evaluator.DEFAULT_PROMPT.replace("{label}", l)));
        ObjectNode trimmed = VocabularyTrim.trim(full, vocabularyTexts);
        Path tokenizerFile = work.resolve(StoredCheckpoint.TOKENIZER_FILE);
        Files.write(tokenizerFile, JSON.writeValueAsBytes(trimmed));
        int vocabulary = TokenizerJson.read(tokenizerFile).vocabularySize();
        log.printf(Locale.ROOT, "pretrain: vocabulary %,d of %,d tokens%n", vocabulary, full.vocabularySize());

        Map<String, float[]> vectors = new LinkedHashMap<>();
        String teacherModelId;
        long teacherStart = System.nanoTime();
        try (TeacherModel teacher = TeacherModels.load(s.teacher())) {
            teacherModelId = teacher.modelId();
            List<String> all = List.copyOf(texts);
            List<float[]> embedded = teacher.vectors(all);
            for (int i = 0; i < all.size(); i++) {
                vectors.put(all.get(i), embedded.get(i));
            }
        }
        log.printf(Locale.ROOT, "pretrain: %,d captions embedded by %s in %.0f s%n", vectors.size(), teacherModelId,
                (System.nanoTime() - teacherStart) / 1e9);
        int teacherDim = vectors.values().iterator().next().length;

        ModelConfig config = base.withTokenizer(tokenizerFile.toString()).withVocabSize(vocabulary).withData(teacherDim, 1);
        TrainingSettings training = TrainingSettings.defaults()
                .withLossWeights(new LossWeights(s.alpha(), 0, s.gamma()))
                .withLearningRate(s.learningRate(), warmup).withDecaySteps(steps - warmup)
                .withSeed(s.seed());
        List<TrainingExample> heldOutExamples = heldOut.stream()
                .map(p -> example(p, p.captions().get(0), vectors, teacherModelId)).toList();
        Random random = new Random(s.seed());
        TrainingSession session = TrainingSession.create(config, training, Device.cpu(), Precision.FP32);
        try {
            session.preparingWith(DecodedImages.unbounded(), 0);
            Map<String, Double> before = heldOutExamples.isEmpty() ? Map.of() : session.evaluate(heldOutExamples, null).metrics();
            List<Integer> order = new ArrayList<>(IntStream.range(0, train.size()).boxed().toList());
            Map<String, Double> firstEpoch = null;
            Map<String, Double> lastEpoch = null;
            int epochs = 0;
            long start = System.nanoTime();
            while (session.step() < steps) {
                Collections.shuffle(order, random);
                double embedding = 0;
                double contrastive = 0;
                double total = 0;
                int taken = 0;
                for (long b = 0; b < perEpoch && session.step() < steps; b++) {
                    List<TrainingExample> batch = new ArrayList<>(s.batchSize());
                    for (int i = 0; i < s.batchSize(); i++) {
                        CorpusPair pair = train.get(order.get((int) (b * s.batchSize() + i)));
                        String caption = pair.captions().get(random.nextInt(pair.captions().size()));
                        batch.add(example(pair, caption, vectors, teacherModelId));
                    }
                    StepReport report = session.train(batch, List.of());
                    embedding += report.embeddingLoss();
                    contrastive += report.contrastiveLoss();
                    total += report.totalLoss();
                    taken++;
                }
                epochs++;
                lastEpoch = Map.of("embedding", embedding / taken, "contrastive", contrastive / taken, "total", total / taken);
                if (firstEpoch == null) {
                    firstEpoch = lastEpoch;
                }
                log.printf(Locale.ROOT, "pretrain: epoch %d, step %d: losses embedding %.4f, contrastive %.4f (%.0f s)%n",
                        epochs, session.step(), embedding / taken, contrastive / taken, (System.nanoTime() - start) / 1e9);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> after = heldOutExamples.isEmpty() ? Map.of() : session.evaluate(heldOutExamples, null).metrics();
            Result result = new Result(session.step(), epochs, train.size(), heldOut.size(), vectors.size(), vocabulary,
                    full.vocabularySize(), seconds, firstEpoch, lastEpoch, before, after, teacherModelId);
            log.printf(Locale.ROOT, "pretrain: %d steps in %.0f s%n", result.steps(), seconds);
            return new Trained(session, training, result, work);
        } catch (InvalidExampleException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static TrainingExample example(CorpusPair pair, String caption, Map<String, float[]> vectors, String teacher) {
        return new TrainingExample(pair.id(), caption, pair.image(), pair.label(), vectors.get(caption), teacher,
                new float[] {1f}, 0, new long[0], null);
    }

    /** The corpus' licence files ({@code LICENSE*}, {@code LICENCE*}) and its README, copied beside the weights. */
    private void copyLicences() throws IOException {
        Path folder = settings.dataset().toAbsolutePath().getParent();
        for (Path licence : licencesIn(folder)) {
            Files.copy(licence, settings.out().resolve(licence.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Path readme = folder.resolve("README.md");
        if (Files.isRegularFile(readme)) {
            Files.copy(readme, settings.out().resolve(DATASET_README), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private List<String> licenceFiles() throws IOException {
        return licencesIn(settings.dataset().toAbsolutePath().getParent()).stream()
                .map(p -> p.getFileName().toString()).toList();
    }

    private static List<Path> licencesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toUpperCase(Locale.ROOT).startsWith("LICEN"))
                    .sorted().toList();
        }
    }

    private ObjectNode record(Result r) {
        ObjectNode root = JSON.createObjectNode();
        PretrainSettings s = settings;
        ObjectNode config = root.putObject("settings");
        config.put("dataset", s.dataset().toString());
        config.put("model", s.model());
        config.put("epochs", s.epochs());
        config.put("maxSteps", s.maxSteps());
        config.put("batchSize", s.batchSize());
        config.put("learningRate", s.learningRate());
        config.put("warmupSteps", s.warmupSteps());
        config.put("alpha", s.alpha());
        config.put("beta", 0.0);
        config.put("gamma", s.gamma());
        config.put("seed", s.seed());
        config.put("teacher", s.teacher());
        config.put("heldOutShare", s.heldOutShare());
        config.put("limit", s.limit());
        config.put("dtype", s.dtype().name());
        config.put("labelField", s.labelField());
        root.set("result", JSON.valueToTree(r));
        return root;
    }
}
