package dev.kclip.trainer.cli;

import ai.djl.Device;
import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.UserException;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.LoadedDataset;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.HeldOutSplit;
import dev.kclip.trainer.data.StudentTokenizer;
import dev.kclip.trainer.eval.EvalExample;
import dev.kclip.trainer.eval.Evaluator;
import dev.kclip.trainer.eval.NearestConcept;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import dev.kclip.trainer.model.StudentModel;
import dev.kclip.trainer.model.clip.ClipImport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kclip eval}: evaluate a checkpoint, or a pretrained directory, on a dataset file. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint (or a pretrained --init directory) on a JSONL dataset: zero-shot, retrieval,"
                + " teacher agreement, concept accuracy.")
public final class EvalCommand implements Callable<Integer> {

    /** How many skipped entries are listed after the metrics (all are counted). */
    private static final int SKIPS_LISTED = 10;

    @Mixin
    KafkaOptions kafka;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** What is evaluated: a checkpoint, or a pretrained directory as a new student would start from it. */
    static final class Source {

        @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "A checkpoint directory (or a latest link).")
        Path checkpoint;

        @Option(names = "--init", required = true, paramLabel = "DIR",
                description = "A pretrained CLIP directory (as kclip train --init), before any training; its W_e and C"
                        + " are fresh, so teacher metrics are off unless --teacher is given.")
        Path init;
    }

    @Option(names = "--dataset", required = true, paramLabel = "FILE.jsonl",
            description = "One {\"image\": path, \"caption\": text, ...} per line, paths relative to the file.")
    Path dataset;

    @Option(names = "--labels-field", paramLabel = "FIELD", description = "The field with class names, for zero-shot (default: none).")
    String labelsField;

    @Option(names = "--allow-outside-root",
            description = "Read images outside the dataset file's folder too (absolute paths, .., symlinks leaving it); "
                    + "without it such lines are skipped.")
    boolean allowOutsideRoot;

    @Option(names = "--prompt", defaultValue = Evaluator.DEFAULT_PROMPT, paramLabel = "TEMPLATE",
            description = "Zero-shot prompt (default: \"${DEFAULT-VALUE}\").")
    String prompt;

    @Option(names = "--teacher", paramLabel = "SPEC",
            description = "Teacher for agreement metrics (default: the checkpoint's teacher, e.g. onnx-minilm; 'none' to skip).")
    String teacher;

    @Option(names = "--concepts", description = "Read the newest centroids of the teacher from kclip.concepts.centroids to score concept accuracy.")
    boolean concepts;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Evaluate the first N pairs only (default: all).")
    int limit;

    @Option(names = "--held-out", defaultValue = "0", paramLabel = "SHARE",
            description = "Evaluate only the pairs a trainer with this held-out share keeps out of training (by id"
                    + " hash, as kclip demo's --held-out); 0 = all (default).")
    double heldOut;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(dataset)) {
            throw new UserException("no dataset file " + dataset);
        }
        StoredCheckpoint stored = source.checkpoint == null ? null
                : CheckpointsCommand.resolve(source.checkpoint.toString(), Path.of("."));
        ReaderOptions options = (labelsField == null ? ReaderOptions.DEFAULTS : ReaderOptions.DEFAULTS.withLabelField(labelsField))
                .withAllowOutsideRoot(allowOutsideRoot);
        LoadedDataset loaded = LoadedDataset.load(new JsonlReader(options), dataset);
        List<LoadedDataset.Pair> pairs = loaded.pairs();
        if (pairs.isEmpty()) {
            throw new UserException("dataset " + dataset + " has no usable pairs (" + loaded.skippedSummary() + "; first: "
                    + (loaded.skipped().isEmpty() ? "none" : loaded.skipped().get(0)) + ")");
        }
        if (heldOut > 0) {
            HeldOutSplit split = new HeldOutSplit(heldOut);
            pairs = pairs.stream().filter(p -> split.isHeldOut(p.id())).toList();
        }
        if (limit > 0 && pairs.size() > limit) {
            pairs = pairs.subList(0, limit);
        }
        String teacherSpec = teacher != null ? teacher : stored == null ? null : stored.manifest().teacherModelId();
        Map<String, Double> metrics;
        try (TeacherModel teacherModel = loadTeacher(teacherSpec)) {
            Function<List<String>, List<float[]>> embed = teacherModel == null ? null : strings -> embed(teacherModel, strings);
            List<float[]> vectors = embed == null ? null : embed.apply(pairs.stream().map(LoadedDataset.Pair::caption).toList());
            String conceptTeacher = stored != null ? stored.manifest().teacherModelId()
                    : teacherModel != null ? teacherModel.modelId() : null;
            NearestConcept nearest = concepts && conceptTeacher != null ? nearestConcept(conceptTeacher) : null;
            List<EvalExample> examples = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                LoadedDataset.Pair p = pairs.get(i);
                float[] v = vectors == null ? null : vectors.get(i);
                int concept = nearest != null && v != null ? nearest.of(v) : -1;
                examples.add(new EvalExample(p.id(), p.caption(), p.image(), labelsField == null ? null : p.label(), v, concept));
            }
            try (StudentModel model = stored != null ? checkpointModel(stored)
                         : pretrainedModel(source.init, teacherModel == null ? 1 : teacherModel.dimension());
                 StudentTokenizer tokenizer = StudentTokenizer.load(model.config().tokenizer(), model.config().contextLength())) {
                metrics = new Evaluator(model, tokenizer, prompt, embed).evaluate(examples);
            }
        }
        if (stored != null) {
            System.out.printf("checkpoint %s (version %d, step %d) on %s%n", stored.directory(), stored.version(),
                    stored.manifest().step(), dataset);
        } else {
            System.out.printf("pretrained %s, before training, on %s%n", source.init, dataset);
        }
        System.out.printf("  %,d pairs evaluated, %s%n", pairs.size(), loaded.skippedSummary());
        loaded.skipped().stream().limit(SKIPS_LISTED).forEach(s -> System.out.println("    " + s));
        metrics.forEach((name, value) -> System.out.printf(Locale.ROOT, "  %-24s %.4f%n", name, value));
        return 0;
    }

    private static StudentModel checkpointModel(StoredCheckpoint stored) throws IOException {
        try (InputStream in = Files.newInputStream(stored.file(StoredCheckpoint.WEIGHTS_FILE))) {
            return StudentModel.load(stored.model(), Device.cpu(), Precision.FP32, in);
        }
    }

    /** The student a trainer starts from {@code directory}: its towers, fresh heads for {@code teacherDim}. */
    private static StudentModel pretrainedModel(Path directory, int teacherDim) {
        try (ClipImport clip = ClipImport.open(directory)) {
            ModelConfig config = clip.modelConfig(ModelConfig.tiny().withData(teacherDim, 1));
            StudentModel model = StudentModel.create(config, Device.cpu(), Precision.FP32, 0);
            clip.loadInto(model);
            return model;
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    /** The teacher for agreement metrics, or null for {@code none} (or no teacher recorded). */
    private static TeacherModel loadTeacher(String spec) {
        if (spec == null || spec.equals("none")) {
            return null;
        }
        try {
            return TeacherModels.load(spec);
        } catch (IllegalArgumentException e) {
            throw new UserException("cannot load teacher '" + spec + "' for agreement metrics (" + e.getMessage()
                    + "); pass --teacher SPEC or --teacher none");
        }
    }

    private static List<float[]> embed(TeacherModel teacher, List<String> strings) {
        List<float[]> vectors = new ArrayList<>();
        for (int from = 0; from < strings.size(); from += 64) {
            for (TeacherEmbedding e : teacher.embed(strings.subList(from, Math.min(strings.size(), from + 64)))) {
                vectors.add(e.vector());
            }
        }
        return vectors;
    }

    private NearestConcept nearestConcept(String teacherModelId) {
        AvroSerde<CentroidSnapshot> serde = new AvroSerde<>(CentroidSnapshot.class);
        AtomicReference<CentroidSnapshot> newest = new AtomicReference<>();
        TopicReader.read(kafka.connection(), Topics.CENTROIDS.name(), true, Long.MAX_VALUE, Duration.ofSeconds(2), record -> {
            if (record.value() != null) {
                CentroidSnapshot s = serde.deserialize(record.topic(), record.value());
                if (s.getTeacherModelId().equals(teacherModelId)
                        && (newest.get() == null || s.getVersion() > newest.get().getVersion())) {
                    newest.set(s);
                }
            }
            return true;
        });
        if (newest.get() == null) {
            throw new UserException("no centroids of teacher " + teacherModelId + " on " + Topics.CENTROIDS.name());
        }
        return new NearestConcept(newest.get());
    }
}
