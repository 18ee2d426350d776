package dev.kclip.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.kclip.datasets.image.ImageDecoder;
import dev.kclip.datasets.image.ImageRejectedException;
import dev.kclip.trainer.data.DecodedImages;
import dev.kclip.trainer.data.ImageTransform;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.StudentTokenizer;
import dev.kclip.trainer.model.StudentModel;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Evaluates a student on a set of pairs:
 * <ul>
 *   <li>zero-shot top-1/top-5 over the labels present (prompts {@code "a photo of a {label}"}): each image's
 *       {@code E_I} against the student's {@code E_T} of each prompt, as CLIP does; and, when a teacher is given,
 *       in the teacher's space: {@code W_e(E_I)} against the teacher's embedding of each prompt (the student
 *       classifies with the teacher's knowledge of label words it never saw in a caption);</li>
 *   <li>image→text and text→image Recall@1/5/10;</li>
 *   <li>teacher agreement: mean cosine of {@code W_e(E_T(t))} with the teacher vector, and kNN-overlap@10 of the
 *       student's text space with the teacher's, both of {@code E_T} itself and of {@code W_e(E_T)} (suffix
 *       {@code _projected});</li>
 *   <li>concept accuracy: {@code C}'s top concept against the soft label's;</li>
 *   <li>with {@link #withAttributes}, attribute zero-shot ({@link AttributeZeroShot}): mean per-attribute ROC AUC
 *       and precision@k of {@code E_I} against attribute prompts.</li>
 * </ul>
 * Each metric is reported when the examples carry what it needs (labels of two or more classes, teacher vectors
 * of the model's teacher dimension, concepts).
 */
public final class Evaluator {

    public static final String DEFAULT_PROMPT = "a photo of a {label}";
    private static final int BATCH = 64;
    private static final int KNN = 10;
    private static final ImageDecoder IMAGES = new ImageDecoder();

    private final StudentModel model;
    private final ImageTransform transform;
    private final StudentTokenizer tokenizer;
    private final String prompt;
    private final Function<List<String>, List<float[]>> teacher;
    private final List<String> attributeFields;
    private final String attributePrompt;
    private final int attributeTopK;
    /** Images already decoded (the trainer's, validated on arrival), looked up before decoding. */
    private final DecodedImages decoded;

    /** An evaluator without a teacher: zero-shot uses the student's own text encoder only. */
    public Evaluator(StudentModel model, StudentTokenizer tokenizer, String prompt) {
        this(model, tokenizer, prompt, null);
    }

    /**
     * @param teacher embeds strings with the teacher the student distils from, or null; when given, zero-shot is
     *     also scored in the teacher's space ({@code zero_shot_teacher_*}): {@code W_e(I_f)} against the teacher's
     *     embedding of each prompt
     */
    public Evaluator(StudentModel model, StudentTokenizer tokenizer, String prompt,
            Function<List<String>, List<float[]>> teacher) {
        this(model, tokenizer, prompt, teacher, null, AttributeZeroShot.DEFAULT_PROMPT, 0, new DecodedImages(0));
    }

    private Evaluator(StudentModel model, StudentTokenizer tokenizer, String prompt,
            Function<List<String>, List<float[]>> teacher, List<String> attributeFields, String attributePrompt,
            int attributeTopK, DecodedImages decoded) {
        if (!prompt.contains("{label}")) {
            throw new IllegalArgumentException("prompt template must contain {label}: " + prompt);
        }
        this.model = model;
        this.transform = new ImageTransform(model.config().imageSize(), ImageTransform.Augmentation.NONE);
        this.tokenizer = tokenizer;
        this.prompt = prompt;
        this.teacher = teacher;
        if (!attributePrompt.contains("{attribute}")) {
            throw new IllegalArgumentException("attribute prompt template must contain {attribute}: " + attributePrompt);
        }
        this.attributeFields = attributeFields;
        this.attributePrompt = attributePrompt;
        this.attributeTopK = attributeTopK;
        this.decoded = decoded;
    }

    /**
     * This evaluator, also scoring attribute zero-shot on the attributes of {@code fields} (names, or prefixes
     * ending in {@code *}).
     *
     * @param template the prompt, with {@code {attribute}} for the attribute's phrase
     * @param topK images per attribute for precision@k
     */
    public Evaluator withAttributes(List<String> fields, String template, int topK) {
        return new Evaluator(model, tokenizer, prompt, teacher, List.copyOf(fields), template, topK, decoded);
    }

    /**
     * The same evaluator, taking an example's image from {@code images} when it is kept there (the held-out pairs
     * of a stream, decoded once on arrival) instead of decoding it again; it adds none.
     */
    public Evaluator withDecodedImages(DecodedImages images) {
        return new Evaluator(model, tokenizer, prompt, teacher, attributeFields, attributePrompt, attributeTopK, images);
    }

    /**
     * What the model makes of a set of examples: {@code E_I}, {@code E_T}, {@code W_e(E_T)}, {@code W_e(E_I)} and
     * {@code C}'s top concept.
     */
    public record Embeddings(float[][] images, float[][] texts, float[][] teacherPredictions,
            float[][] imagesInTeacherSpace, int[] topConcepts) {
    }

    /**
     * What {@link #evaluate(List, List)} found.
     *
     * @param metrics every metric that applies, by name, in a fixed order; {@code examples} is always there
     * @param buckets zero-shot accuracy per bucket (empty without buckets or with fewer than two classes)
     */
    public record Evaluation(Map<String, Double> metrics, Map<String, BucketAccuracy> buckets) {
    }

    /** All metrics that apply, by name, in a fixed order; {@code examples} is always there. */
    public Map<String, Double> evaluate(List<EvalExample> examples) throws InvalidExampleException {
        return evaluate(examples, null).metrics();
    }

    /**
     * All metrics that apply and, when {@code buckets} is given, zero-shot top-1 and balanced top-1 per bucket,
     * each bucket's images scored against the prompts of every class among {@code examples}.
     *
     * @param buckets the bucket of each example (parallel to {@code examples}), or null
     */
    public Evaluation evaluate(List<EvalExample> examples, List<String> buckets) throws InvalidExampleException {
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, BucketAccuracy> byBucket = new LinkedHashMap<>();
        metrics.put("examples", (double) examples.size());
        if (examples.isEmpty()) {
            return new Evaluation(metrics, byBucket);
        }
        Embeddings e = embed(examples);
        zeroShot(examples, e, metrics, buckets, byBucket);
        for (int k : new int[] {1, 5, 10}) {
            metrics.put("image_to_text_r" + k, Retrieval.recallAtK(e.images(), e.texts(), k));
        }
        for (int k : new int[] {1, 5, 10}) {
            metrics.put("text_to_image_r" + k, Retrieval.recallAtK(e.texts(), e.images(), k));
        }
        int teacherDim = model.config().teacherDim();
        List<Integer> withTeacher = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            float[] t = examples.get(i).teacher();
            if (t != null && t.length == teacherDim) {
                withTeacher.add(i);
            }
        }
        if (!withTeacher.isEmpty()) {
            float[][] predicted = rows(e.teacherPredictions(), withTeacher);
            float[][] teacher = withTeacher.stream().map(i -> examples.get(i).teacher()).toArray(float[][]::new);
            metrics.put("teacher_cosine", TeacherAgreement.meanCosine(predicted, teacher));
            if (withTeacher.size() > KNN) {
                metrics.put("teacher_knn_overlap_10", TeacherAgreement.knnOverlap(rows(e.texts(), withTeacher), teacher, KNN));
                metrics.put("teacher_knn_overlap_10_projected", TeacherAgreement.knnOverlap(predicted, teacher, KNN));
            }
        }
        List<Integer> withConcept = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            if (examples.get(i).topConcept() >= 0) {
                withConcept.add(i);
            }
        }
        if (!withConcept.isEmpty()) {
            int[] predicted = withConcept.stream().mapToInt(i -> e.topConcepts()[i]).toArray();
            int[] expected = withConcept.stream().mapToInt(i -> examples.get(i).topConcept()).toArray();
            metrics.put("concept_accuracy", ConceptAccuracy.of(predicted, expected));
        }
        if (attributeFields != null) {
            attributes(examples, e, metrics);
        }
        return new Evaluation(metrics, byBucket);
    }

    private void attributes(List<EvalExample> examples, Embeddings e, Map<String, Double> metrics) {
        List<Map<String, String>> attributes = examples.stream().map(EvalExample::attributes).toList();
        List<AttributeZeroShot.Attribute> vocabulary = AttributeZeroShot.vocabulary(attributes, attributeFields);
        if (vocabulary.isEmpty()) {
            return;
        }
        float[][] prompts = texts(vocabulary.stream().map(a -> AttributeZeroShot.prompt(attributePrompt, a)).toList());
        AttributeZeroShot.Result result = AttributeZeroShot.score(e.images(), prompts,
                AttributeZeroShot.presence(vocabulary, attributes), attributeTopK);
        if (result.attributes() > 0) {
            metrics.putAll(result.metrics());
        }
    }

    private void zeroShot(List<EvalExample> examples, Embeddings e, Map<String, Double> metrics, List<String> buckets,
            Map<String, BucketAccuracy> byBucket) {
        List<Integer> labelled = new ArrayList<>();
        TreeSet<String> classes = new TreeSet<>();
        for (int i = 0; i < examples.size(); i++) {
            String label = examples.get(i).label();
            if (label != null && !label.isBlank()) {
                labelled.add(i);
                classes.add(label);
            }
        }
        if (classes.size() < 2) {
            return;
        }
        List<String> names = new ArrayList<>(classes);
        float[][] classTexts = texts(names.stream().map(l -> prompt.replace("{label}", l)).toList());
        int[] truth = labelled.stream().mapToInt(i -> names.indexOf(examples.get(i).label())).toArray();
        float[][] images = rows(e.images(), labelled);
        metrics.put("zero_shot_top1", ZeroShot.topK(images, truth, classTexts, 1));
        metrics.put("zero_shot_top5", ZeroShot.topK(images, truth, classTexts, 5));
        metrics.put("zero_shot_balanced_top1", ZeroShot.balancedTop1(images, truth, classTexts));
        metrics.put("zero_shot_majority_share", ZeroShot.majorityShare(truth));
        metrics.put("zero_shot_classes", (double) names.size());
        if (buckets != null) {
            Map<String, List<Integer>> members = new LinkedHashMap<>();
            for (int j = 0; j < labelled.size(); j++) {
                members.computeIfAbsent(buckets.get(labelled.get(j)), b -> new ArrayList<>()).add(j);
            }
            members.forEach((bucket, rows) -> {
                float[][] bucketImages = rows(images, rows);
                int[] bucketTruth = rows.stream().mapToInt(j -> truth[j]).toArray();
                byBucket.put(bucket, new BucketAccuracy(rows.size(), names.size(),
                        ZeroShot.topK(bucketImages, bucketTruth, classTexts, 1),
                        ZeroShot.balancedTop1(bucketImages, bucketTruth, classTexts)));
            });
        }
        if (teacher != null) {
            float[][] teacherPrompts = teacher.apply(names.stream().map(l -> prompt.replace("{label}", l)).toList())
                    .toArray(float[][]::new);
            float[][] projected = rows(e.imagesInTeacherSpace(), labelled);
            metrics.put("zero_shot_teacher_top1", ZeroShot.topK(projected, truth, teacherPrompts, 1));
            metrics.put("zero_shot_teacher_top5", ZeroShot.topK(projected, truth, teacherPrompts, 5));
        }
    }

    /** Image, text, {@code W_e} and concept outputs for every example, computed in batches without gradients. */
    public Embeddings embed(List<EvalExample> examples) throws InvalidExampleException {
        int n = examples.size();
        float[][] images = new float[n][];
        float[][] texts = new float[n][];
        float[][] predictions = new float[n][];
        float[][] imagePredictions = new float[n][];
        int[] concepts = new int[n];
        for (int from = 0; from < n; from += BATCH) {
            List<EvalExample> chunk = examples.subList(from, Math.min(n, from + BATCH));
            float[] pixels = new float[chunk.size() * transform.pixels()];
            for (int i = 0; i < chunk.size(); i++) {
                EvalExample example = chunk.get(i);
                try {
                    BufferedImage kept = decoded.get(example.image());
                    transform.eval(kept != null ? kept : IMAGES.decode(example.image()).image(), pixels,
                            i * transform.pixels());
                } catch (ImageRejectedException e) {
                    throw InvalidExampleException.imageRefused(e, example.id());
                }
            }
            StudentTokenizer.Tokens tokens = tokenizer.encode(chunk.stream().map(EvalExample::caption).toList());
            try (StudentModel.Step step = model.step(false)) {
                NDArray imageFeatures = step.encodeImages(step.images(pixels, chunk.size()));
                NDArray textFeatures = step.encodeTexts(step.tokens(tokens.ids(), chunk.size()), step.lengths(tokens.lengths()));
                NDArray prediction = step.projectToTeacher(textFeatures);
                NDArray top = step.classifyConcepts(imageFeatures, textFeatures).argMax(1);
                copyRows(imageFeatures, images, from);
                copyRows(textFeatures, texts, from);
                copyRows(prediction, predictions, from);
                copyRows(step.projectToTeacher(imageFeatures), imagePredictions, from);
                long[] best = top.toType(DataType.INT64, false).toLongArray();
                for (int i = 0; i < best.length; i++) {
                    concepts[from + i] = (int) best[i];
                }
            }
        }
        return new Embeddings(images, texts, predictions, imagePredictions, concepts);
    }

    /** Text embeddings {@code E_T} of arbitrary strings. */
    public float[][] texts(List<String> strings) {
        float[][] out = new float[strings.size()][];
        for (int from = 0; from < strings.size(); from += BATCH) {
            List<String> chunk = strings.subList(from, Math.min(strings.size(), from + BATCH));
            StudentTokenizer.Tokens tokens = tokenizer.encode(chunk);
            try (StudentModel.Step step = model.step(false)) {
                copyRows(step.encodeTexts(step.tokens(tokens.ids(), chunk.size()), step.lengths(tokens.lengths())), out, from);
            }
        }
        return out;
    }

    private static void copyRows(NDArray matrix, float[][] out, int from) {
        int rows = (int) matrix.getShape().get(0);
        int cols = (int) matrix.getShape().get(1);
        float[] flat = matrix.toFloatArray();
        for (int i = 0; i < rows; i++) {
            float[] row = new float[cols];
            System.arraycopy(flat, i * cols, row, 0, cols);
            out[from + i] = row;
        }
    }

    private static float[][] rows(float[][] all, List<Integer> indexes) {
        return indexes.stream().map(i -> all[i]).toArray(float[][]::new);
    }
}
