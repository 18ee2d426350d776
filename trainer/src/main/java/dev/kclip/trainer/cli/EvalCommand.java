package dev.kclip.trainer.cli;

import ai.djl.Device;
import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.UserException;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.datasets.read.DatasetFormat;
import dev.kclip.datasets.read.LoadedDataset;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.Examples;
import dev.kclip.trainer.data.HeldOutSplit;
import dev.kclip.trainer.data.StudentTokenizer;
import dev.kclip.trainer.eval.AttributeZeroShot;
import dev.kclip.trainer.eval.BucketAccuracy;
import dev.kclip.trainer.eval.ContinualFigures;
import dev.kclip.trainer.eval.ContinualMetrics;
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
        description = "Evaluate a checkpoint (or a pretrained --init directory) on a dataset: zero-shot (per bucket with"
                + " --bucket-field), retrieval, teacher agreement, concept accuracy, attribute zero-shot; and a checkpoint's"
                + " own continual figures.")
public final class EvalCommand implements Callable<Integer> {

    /** How many skipped entries are listed after the metrics (all are counted). */
    private static final int SKIPS_LISTED = 10;
    private static final int DEFAULT_ATTRIBUTE_TOP_K = 10;

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

    @Option(names = "--dataset", required = true, paramLabel = "PATH",
            description = "A JSONL file (one {\"image\": path, \"caption\": text, ...} per line, paths relative to the file), "
                    + "or any layout kclip push reads (a CUB or AWA2 folder, ...).")
    Path dataset;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "jsonl, tsv, coco, folder, cub or awa2 (default: from the path).")
    DatasetFormat format;

    @Option(names = "--bucket-field", paramLabel = "FIELD",
            description = "Zero-shot top-1 and balanced top-1 per value of this field (label or an attribute), each "
                    + "bucket's images among the prompts of every class (default: none).")
    String bucketField;

    @Option(names = "--attribute-fields", split = ",", paramLabel = "FIELD",
            description = "Attribute zero-shot on these comma-list fields, a trailing * matching any rest; 'none' to skip "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> attributeFields = AttributeZeroShot.DEFAULT_FIELDS;

    @Option(names = "--attribute-prompt", paramLabel = "TEMPLATE",
            description = "Attribute prompt, {attribute} replaced by the attribute's phrase (default: \"${DEFAULT-VALUE}\").")
    String attributePrompt = AttributeZeroShot.DEFAULT_PROMPT;

    @Option(names = "--attribute-top-k", paramLabel = "K",
            description = "Images per attribute for attribute precision@K (default: ${DEFAULT-VALUE}).")
    int attributeTopK = DEFAULT_ATTRIBUTE_TOP_K;

    @Option(names = "--labels-field", paramLabel = "FIELD", description = "The field with class names, for zero-shot (default: none).")
    String labelsField;

    @Option(names = "--allow-outside-root",
            description = "Read images outside the dataset file's folder too (absolute paths, .., symlinks leaving it); "
                    + "without it such lines are skipped.")
    boolean allowOutsideRoot;

    @Option(names = "--prompt", paramLabel = "TEMPLATE", description = "Zero-shot prompt (default: \"${DEFAULT-VALUE}\").")
    String prompt = Evaluator.DEFAULT_PROMPT;

    @Option(names = "--teacher", paramLabel = "SPEC",
            description = "Teacher for agreement metrics (default: the checkpoint's teacher, e.g. onnx-minilm; 'none' to skip).")
    String teacher;

    @Option(names = "--concepts", description = "Read the newest centroids of the teacher from kclip.concepts.centroids to score concept accuracy.")
    boolean concepts;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate the first N pairs only (default: all).")
    int limit = 0;

    @Option(names = "--held-out", defaultValue = "0", paramLabel = "SHARE",
            description = "Evaluate only the pairs a trainer with this held-out share keeps out of training (by id"
                    + " hash, as kclip demo's --held-out); 0 = all (default).")
    double heldOut;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(dataset)) {
            throw new UserException("no dataset " + dataset);
        }
        StoredCheckpoint stored = source.checkpoint == null ? null
                : CheckpointsCommand.resolve(source.checkpoint.toString(), Path.of("."));
        ReaderOptions options = (labelsField == null ? ReaderOptions.DEFAULTS : ReaderOptions.DEFAULTS.withLabelField(labelsField))
                .withAllowOutsideRoot(allowOutsideRoot);
        DatasetFormat layout;
        try {
            layout = format != null ? format : DatasetFormat.infer(dataset);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        LoadedDataset loaded = LoadedDataset.load(layout.reader(options), dataset);
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
        Evaluator.Evaluation evaluation;
        try (TeacherModel teacherModel = loadTeacher(teacherSpec)) {
            Function<List<String>, List<float[]>> embed = teacherModel == null ? null : teacherModel::vectors;
            List<float[]> vectors = embed == null ? null : embed.apply(pairs.stream().map(LoadedDataset.Pair::caption).toList());
            String conceptTeacher = stored != null ? stored.manifest().teacherModelId()
                    : teacherModel != null ? teacherModel.modelId() : null;
            NearestConcept nearest = concepts && conceptTeacher != null ? nearestConcept(conceptTeacher) : null;
            List<EvalExample> examples = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                LoadedDataset.Pair p = pairs.get(i);
                float[] v = vectors == null ? null : vectors.get(i);
                int concept = nearest != null && v != null ? nearest.of(v) : -1;
                examples.add(new EvalExample(p.id(), p.caption(), p.image(), labelsField == null ? null : p.label(), v, concept,
                        p.attributes()));
            }
            List<String> buckets = bucketField == null ? null : pairs.stream().map(this::bucketOf).toList();
            try (StudentModel model = stored != null ? checkpointModel(stored)
                         : pretrainedModel(source.init, teacherModel == null ? 1 : teacherModel.dimension());
                 StudentTokenizer tokenizer = StudentTokenizer.load(model.config().tokenizer(), model.config().contextLength())) {
                Evaluator evaluator = new Evaluator(model, tokenizer, prompt, embed);
                if (!attributeFields.equals(List.of("none"))) {
                    evaluator = evaluator.withAttributes(attributeFields, attributePrompt, attributeTopK);
                }
                evaluation = evaluator.evaluate(examples, buckets);
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
        evaluation.metrics().forEach((name, value) -> System.out.printf(Locale.ROOT, "  %-24s %.4f%n", name, value));
        if (bucketField != null) {
            printBuckets(evaluation.buckets());
        }
        if (stored != null) {
            printContinual(stored.manifest());
        }
        return 0;
    }

    private static StudentModel checkpointModel(StoredCheckpoint stored) throws IOException {
        try (InputStream in = Files.newInputStream(stored.file(StoredCheckpoint.WEIGHTS_FILE))) {
            return StudentModel.load(stored.model(), Device.cpu(), Precision.FP32, in);
        }
    }

    /** The student a trainer starts from {@code directory}: its towers, fresh heads for {@code teacherDim}. */
    private static StudentModel pretrainedModel(Path directory, int teacherDim) {
        try {
            return ClipImport.student(ClipImport.configure(directory, ModelConfig.tiny().withData(teacherDim, 1)),
                    Device.cpu(), Precision.FP32, 0);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    private String bucketOf(LoadedDataset.Pair pair) {
        String value = bucketField.equals("label") || bucketField.equals(labelsField) ? pair.label()
                : pair.attributes().get(bucketField);
        return value == null || value.isBlank() ? Examples.NO_BUCKET : value;
    }

    private void printBuckets(Map<String, BucketAccuracy> buckets) {
        if (buckets.isEmpty()) {
            System.out.println("  no zero-shot per " + bucketField + ": pass --labels-field with two or more classes");
            return;
        }
        System.out.printf(Locale.ROOT, "  zero-shot per %s (each among all %d classes):%n", bucketField,
                buckets.values().iterator().next().classes());
        buckets.forEach((bucket, a) -> System.out.printf(Locale.ROOT, "    %-32s top-1 %.4f  balanced %.4f  (%d images)%n",
                bucket, a.top1(), a.balancedTop1(), a.examples()));
    }

    /** The continual figures and replay the checkpoint itself recorded, when it has them. */
    private static void printContinual(CheckpointManifest m) {
        if (m.continual() != null) {
            ContinualMetrics c = m.continual();
            System.out.printf(Locale.ROOT, "  checkpoint's continual evaluation (%s, %d buckets, %d checkpoints): %s%n",
                    m.accuracyMatrix().bucketing(), m.accuracyMatrix().buckets().size(),
                    m.accuracyMatrix().rows().size(), ContinualFigures.line(c));
        }
        if (m.replayPolicy() != null) {
            System.out.println("  replay: " + ContinualFigures.replayLine(m.replayPolicy(), m.metrics()));
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
