package dev.kclip.trainer.loop;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.kclip.formats.safetensors.SafetensorsFile;
import dev.kclip.formats.safetensors.SafetensorsWriter;
import dev.kclip.formats.tokenizer.TokenizerJson;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.BatchAssembler;
import dev.kclip.trainer.data.DecodedImages;
import dev.kclip.trainer.data.ImageTransform;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.PreparedBatch;
import dev.kclip.trainer.data.StudentTokenizer;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.eval.EvalExample;
import dev.kclip.trainer.eval.Evaluator;
import dev.kclip.trainer.loss.KnowledgeClipLoss;
import dev.kclip.trainer.model.KnowledgeClip;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import dev.kclip.trainer.model.RowRemap;
import dev.kclip.trainer.model.Scalars;
import dev.kclip.trainer.model.StudentModel;
import dev.kclip.trainer.model.TeacherTokenEmbeddings;
import dev.kclip.trainer.model.clip.ClipImport;
import dev.kclip.trainer.optim.AdamW;
import dev.kclip.trainer.optim.GradientClipping;
import dev.kclip.trainer.optim.LossScaler;
import dev.kclip.trainer.optim.LearningRateSchedule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The student and everything that updates it: one {@link #train} call is one AdamW step on one batch. Knows
 * nothing of Kafka; the service feeds it, tests and benchmarks drive it directly.
 *
 * <p>A step: prepare the batch (augment, tokenise), forward, the three losses, backward (the total scaled by the
 * loss scale in mixed precision), unscale, global-norm clip, AdamW with the warm-up rate. A step whose gradients
 * are not finite is skipped (and, in mixed precision, the loss scale halved).
 */
public final class TrainingSession implements Student {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingSession.class);
    private static final Map<String, float[][]> SEEDED_TABLES = new HashMap<>();

    private final TrainingSettings settings;
    private final StudentModel model;
    private final StudentTokenizer tokenizer;
    private BatchAssembler assembler;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final LossScaler scaler;
    private final KnowledgeClipLoss loss;

    private TrainingSession(TrainingSettings settings, StudentModel model, AdamW optimizer, LossScaler scaler) {
        this.settings = settings;
        this.model = model;
        ModelConfig config = model.config();
        this.tokenizer = StudentTokenizer.load(config.tokenizer(), config.contextLength());
        if (tokenizer.vocabularySize() > config.vocabSize()) {
            model.close();
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabularySize()
                    + " tokens but the model's vocabSize is " + config.vocabSize());
        }
        this.assembler = new BatchAssembler(new ImageTransform(config.imageSize(), settings.augmentation()), tokenizer);
        this.optimizer = optimizer;
        this.schedule = settings.schedule();
        this.scaler = scaler;
        this.loss = new KnowledgeClipLoss(settings.lossWeights(), settings.distillation());
        if (settings.textInitTeacher() != null) {
            // a teacher-seeded vocabulary stays fixed: every token, seen in a caption or not, keeps living in the
            // teacher's coordinates, so what the layers learn carries over to words no caption contained
            model.parameters().get(TeacherTokenEmbeddings.PARAMETER).freeze(true);
        }
    }

    /**
     * A new student for {@code config} (teacher dimension and K known), initialised from the settings' seed, its
     * towers and temperature copied from the pretrained CLIP the config names ({@link ModelConfig#pretrained()}),
     * or its token embedding seeded from a teacher when the settings name one.
     */
    public static TrainingSession create(ModelConfig config, TrainingSettings settings, Device device, Precision precision) {
        if (config.pretrained() != null && settings.textInitTeacher() != null) {
            throw new IllegalArgumentException("a student starting from a pretrained CLIP keeps its token embeddings;"
                    + " --init and --init-text-from-teacher exclude each other");
        }
        StudentModel model = config.pretrained() != null ? ClipImport.student(config, device, precision, settings.seed())
                : StudentModel.create(config, device, precision, settings.seed());
        TrainingSession session = new TrainingSession(settings, model, new AdamW(settings.optimizer(), model.manager()),
                scaler(precision));
        if (settings.textInitTeacher() != null) {
            try {
                TeacherTokenEmbeddings.apply(model, seededTable(settings.textInitTeacher(), config, session.tokenizer,
                        settings.seed()));
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
        }
        return session;
    }

    /** The teacher-seeded token table, computed once per process for the same teacher, tokenizer, width and seed. */
    private static synchronized float[][] seededTable(String teacherSpec, ModelConfig config, StudentTokenizer tokenizer,
            long seed) {
        String key = teacherSpec + "|" + config.tokenizer() + "|" + config.textWidth() + "|" + seed;
        return SEEDED_TABLES.computeIfAbsent(key, k -> {
            try (TeacherModel teacher = TeacherModels.load(teacherSpec)) {
                long start = System.nanoTime();
                float[][] table = TeacherTokenEmbeddings.compute(tokenizer.tokenTexts(),
                        batch -> teacher.embed(batch).stream().map(TeacherEmbedding::vector).toList(),
                        config.textWidth(), seed);
                LOG.info("token embeddings seeded from teacher {} in {} s", teacher.modelId(),
                        (System.nanoTime() - start) / 1_000_000_000);
                return table;
            }
        });
    }

    /**
     * Resumes from a verified checkpoint: weights, AdamW moments and step, loss scale. Only files its manifest
     * lists are read ({@link StoredCheckpoint#file}).
     *
     * @throws IOException when a file is not listed, or the weights or moments do not fit the recorded model
     */
    public static TrainingSession restore(StoredCheckpoint checkpoint, TrainingSettings settings, Device device,
            Precision precision) throws IOException {
        StudentModel model;
        ModelConfig config = checkpoint.model();
        try (InputStream in = Files.newInputStream(checkpoint.file(StoredCheckpoint.WEIGHTS_FILE))) {
            model = StudentModel.load(config, device, precision, in);
        }
        AdamW optimizer = new AdamW(settings.optimizer(), model.manager());
        try (SafetensorsFile moments = SafetensorsFile.open(checkpoint.file(StoredCheckpoint.OPTIMIZER_FILE))) {
            Map<String, NDArray> state = new LinkedHashMap<>();
            for (String name : moments.names()) {
                state.put(name, moments.load(name, model.manager(), DataType.FLOAT32));
            }
            optimizer.restore(checkpoint.manifest().optimizerStep(), state);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        LossScaler scaler = scaler(precision);
        scaler.restore(checkpoint.manifest().lossScale());
        return new TrainingSession(settings, model, optimizer, scaler);
    }

    private static LossScaler scaler(Precision precision) {
        return precision == Precision.MIXED ? LossScaler.dynamic() : LossScaler.none();
    }

    /**
     * Prepares batches from now on with images kept in {@code decoded} (see {@link DecodedImages}: an unbounded one
     * for a fixed corpus trained for many epochs, a budgeted one for a stream) and {@code prefetchWorkers} threads
     * decoding and augmenting ahead of the step (0: on the training thread). Batches are the same either way.
     */
    public TrainingSession preparingWith(DecodedImages decoded, int prefetchWorkers) {
        assembler.close();
        assembler = new BatchAssembler(assembler.images(), tokenizer, decoded, prefetchWorkers);
        return this;
    }

    public StudentModel model() {
        return model;
    }

    public StudentTokenizer tokenizer() {
        return tokenizer;
    }

    public TrainingSettings settings() {
        return settings;
    }

    @Override
    public ModelConfig config() {
        return model.config();
    }

    @Override
    public long step() {
        return optimizer.step();
    }

    @Override
    public double lossScale() {
        return scaler.scale();
    }

    /** K of the classifier. */
    public int concepts() {
        return model.block().conceptClassifier().concepts();
    }

    /** Resizes the classifier and its AdamW moments following {@code plan}. */
    @Override
    public void followConcepts(RowRemap plan) {
        model.resizeConcepts(plan);
        optimizer.remapRows("concept_classifier.weight", plan);
        optimizer.remapRows("concept_classifier.bias", plan);
    }

    /**
     * One step on {@code fresh} stream examples plus {@code replayed} ones.
     *
     * @throws InvalidExampleException when an image no longer decodes (examples are validated on arrival, so this
     *     means the bytes changed in memory)
     */
    @Override
    public StepReport train(List<TrainingExample> fresh, List<TrainingExample> replayed) throws InvalidExampleException {
        return train(fresh, replayed, List.of());
    }

    /**
     * One step, and the images of {@code upcoming} (the examples the next batch begins with) prepared ahead on the
     * prefetch workers while it runs.
     */
    @Override
    public StepReport train(List<TrainingExample> fresh, List<TrainingExample> replayed, List<TrainingExample> upcoming)
            throws InvalidExampleException {
        List<TrainingExample> all = new ArrayList<>(fresh.size() + replayed.size());
        all.addAll(fresh);
        all.addAll(replayed);
        PreparedBatch batch = assembler.prepare(all, concepts(), augmentationSeed(optimizer.step()));
        // the next step's number when this one applies; a skipped step makes the next batch render its own
        assembler.prefetch(upcoming, augmentationSeed(optimizer.step() + 1));
        try (StudentModel.Step step = model.step(true)) {
            KnowledgeClip.Outputs out;
            KnowledgeClipLoss.Terms terms;
            try (GradientCollector collector = Engine.getEngine(StudentModel.ENGINE).newGradientCollector()) {
                out = step.forward(step.images(batch.pixels(), batch.size()),
                        step.tokens(batch.tokens().ids(), batch.size()), step.lengths(batch.tokens().lengths()));
                terms = loss.compute(out.imageFeatures(), out.textFeatures(), out.scale(), out.teacherPrediction(),
                        step.matrix(batch.teacher(), batch.size()), out.conceptLogits(),
                        step.matrix(batch.softLabels(), batch.size()), step.manager().create(batch.conceptMask()));
                collector.backward(scaler.scale() == 1 ? terms.total() : Scalars.mul(terms.total(), scaler.scale()));
            }
            Map<String, NDArray> gradients = step.gradients();
            if (scaler.scale() != 1) {
                float inverse = (float) (1 / scaler.scale());
                gradients.values().forEach(g -> g.muli(inverse));
            }
            double norm = GradientClipping.globalNorm(gradients.values());
            boolean applied = scaler.record(norm);
            double rate = schedule.at(optimizer.step() + 1);
            if (applied) {
                GradientClipping.clip(gradients.values(), norm, settings.maxGradientNorm());
                optimizer.update(model.parameters(), gradients, rate);
            }
            return new StepReport(optimizer.step(), fresh.stream().map(TrainingExample::id).toList(), replayed.size(),
                    terms.embedding().getFloat(), terms.concept().getFloat(), terms.contrastive().getFloat(),
                    terms.total().getFloat(), norm, rate, out.scale().getFloat(), applied);
        }
    }

    /** Augmentation depends on the seed and the step only, so a resumed run augments as the original would have. */
    private long augmentationSeed(long step) {
        return settings.seed() * 1_000_003L + step;
    }

    /** Evaluation figures on {@code examples} (see {@link Evaluator}). */
    @Override
    public Evaluator.Evaluation evaluate(List<TrainingExample> examples, List<String> buckets)
            throws InvalidExampleException {
        return new Evaluator(model, tokenizer, Evaluator.DEFAULT_PROMPT).withDecodedImages(assembler.decoded())
                .evaluate(examples.stream().map(EvalExample::of).toList(), buckets);
    }

    /** The weights and the optimizer state, as checkpoint files. */
    @Override
    public Map<String, CheckpointStore.FileContent> checkpointFiles() {
        Map<String, CheckpointStore.FileContent> files = new LinkedHashMap<>();
        files.put(StoredCheckpoint.WEIGHTS_FILE, model::save);
        if (!model.config().tokenizer().startsWith(TokenizerJson.CLASSPATH)) {
            // a file tokenizer (a pretrained directory's) travels with the checkpoint: the directory may move
            files.put(StoredCheckpoint.TOKENIZER_FILE, out -> out.write(tokenizer.definition()));
        }
        files.put(StoredCheckpoint.OPTIMIZER_FILE, out -> {
            Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
            optimizer.state().forEach((name, array) ->
                    tensors.put(name, SafetensorsWriter.Tensor.f32(array.toFloatArray(), array.getShape().getShape())));
            SafetensorsWriter.write(out, tensors, Map.of("optimizer", "AdamW", "step", Long.toString(optimizer.step())));
        });
        return files;
    }

    @Override
    public void close() {
        assembler.close();
        tokenizer.close();
        model.close();
    }
}
