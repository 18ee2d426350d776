package dev.kclip.teacher.torchscript;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import dev.kclip.formats.tokenizer.TokenizerJson;
import dev.kclip.formats.tokenizer.TokenizerOptions;
import dev.kclip.teacher.Pooling;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Any TorchScript text encoder a user exports ({@code torch.jit.trace} or {@code torch.jit.script}, then
 * {@code torch.jit.save}), run by DJL's PyTorch engine. The contract:
 * <ul>
 *   <li>{@code forward(input_ids, attention_mask)}, both int64 {@code [batch][length]}, right-padded, mask 1 on real
 *       tokens — the signature Hugging Face encoders are traced with;</li>
 *   <li>it returns (first, if a tuple) either one vector per caption {@code [batch][dim]}, used as is, or one per
 *       token {@code [batch][length][dim]}, which is mean-pooled over the mask here;</li>
 *   <li>a {@code tokenizer.json} beside the file tokenises, adding its own special tokens; captions are cut to
 *       the tokenizer's {@code truncation.max_length}, else 512 tokens.</li>
 * </ul>
 * With {@code --l2} the vectors are normalised to unit length. The model id is {@code torchscript:<file name>}.
 */
public final class TorchScriptTeacher implements TeacherModel {

    public static final String PREFIX = "torchscript:";
    public static final String TOKENIZER = TokenizerJson.FILE_NAME;
    private static final int DEFAULT_MAX_TOKENS = 512;

    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;
    private final HuggingFaceTokenizer tokenizer;
    private final String modelId;
    private final boolean l2Normalize;
    private final int maxTokens;
    private int dimension;

    private TorchScriptTeacher(ZooModel<NDList, NDList> model, HuggingFaceTokenizer tokenizer, String modelId,
            boolean l2Normalize, int maxTokens) {
        this.model = model;
        this.predictor = model.newPredictor();
        this.tokenizer = tokenizer;
        this.modelId = modelId;
        this.l2Normalize = l2Normalize;
        this.maxTokens = maxTokens;
    }

    /**
     * Loads {@code file} and the {@code tokenizer.json} beside it, and runs one caption through to learn the
     * embedding's dimension (and fail now, not on the first record, when the model breaks the contract).
     */
    public static TorchScriptTeacher load(Path file, TeacherOptions options) {
        Path dir = file.toAbsolutePath().getParent();
        Path tokenizerFile = dir.resolve(TOKENIZER);
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new IllegalArgumentException("a TorchScript teacher needs the encoder's " + TOKENIZER + " in " + dir);
        }
        TokenizerJson definition = TokenizerJson.read(tokenizerFile);
        int maxTokens = definition.json().path("truncation").path("max_length").asInt(DEFAULT_MAX_TOKENS);
        // truncation is done here, to flag the captions it cuts
        HuggingFaceTokenizer tokenizer = definition.open(TokenizerOptions.defaults());
        String name = file.getFileName().toString();
        Criteria.Builder<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine("PyTorch")
                .optDevice(options.device())
                .optTranslator(new NoopTranslator());
        if (name.endsWith(".pt")) {
            // DJL finds <name>.pt in a directory without warning about a "non-archive" path
            criteria.optModelPath(dir).optModelName(name.substring(0, name.length() - 3));
        } else {
            criteria.optModelPath(file.toAbsolutePath());
        }
        TorchScriptTeacher teacher;
        try {
            teacher = new TorchScriptTeacher(criteria.build().loadModel(), tokenizer,
                    PREFIX + name + (options.l2Normalize() ? "#l2" : ""), options.l2Normalize(), maxTokens);
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            tokenizer.close();
            throw new IllegalArgumentException("cannot load TorchScript model " + file + ": " + e.getMessage(), e);
        }
        try {
            teacher.dimension = teacher.embed(List.of("a probe caption")).get(0).vector().length;
            return teacher;
        } catch (RuntimeException e) {
            teacher.close();
            throw new IllegalArgumentException("TorchScript model " + file + " does not follow the teacher contract "
                    + "(forward(input_ids, attention_mask) -> [batch][dim] or [batch][length][dim]): " + e.getMessage(), e);
        }
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public int countTokens(String caption) {
        return Math.min(tokenizer.encode(caption, true, false).getIds().length, maxTokens);
    }

    @Override
    public int contentTokens(String caption) {
        return tokenizer.encode(caption, false, false).getIds().length;
    }

    @Override
    public List<TeacherEmbedding> embed(List<String> captions) {
        if (captions.isEmpty()) {
            return List.of();
        }
        int batch = captions.size();
        long[][] ids = new long[batch][];
        boolean[] truncated = new boolean[batch];
        int[] lengths = new int[batch];
        int length = 0;
        for (int b = 0; b < batch; b++) {
            Encoding encoding = tokenizer.encode(captions.get(b), true, false);
            long[] all = encoding.getIds();
            truncated[b] = all.length > maxTokens;
            ids[b] = truncated[b] ? Arrays.copyOf(all, maxTokens) : all;
            lengths[b] = ids[b].length;
            length = Math.max(length, lengths[b]);
        }
        long[] flatIds = new long[batch * length];
        long[] mask = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids[b], 0, flatIds, b * length, lengths[b]);
            Arrays.fill(mask, b * length, b * length + lengths[b], 1);
        }
        float[] vectors;
        int dim;
        try (NDManager scope = model.getNDManager().newSubManager()) {
            Shape shape = new Shape(batch, length);
            NDList output = predictor.predict(new NDList(scope.create(flatIds, shape), scope.create(mask, shape)));
            NDArray out = output.get(0).toType(DataType.FLOAT32, false);
            out.attach(scope);
            output.attach(scope);
            NDArray pooled = switch (out.getShape().dimension()) {
                case 2 -> out;
                case 3 -> Pooling.MEAN.pool(out, lengths);
                default -> throw new IllegalStateException("output of shape " + out.getShape()
                        + " is neither [batch][dim] nor [batch][length][dim]");
            };
            if (pooled.getShape().get(0) != batch) {
                throw new IllegalStateException("output has " + pooled.getShape().get(0) + " rows for " + batch + " captions");
            }
            if (l2Normalize) {
                pooled = pooled.div(pooled.norm(new int[] {-1}, true).maximum(1e-12f));
            }
            dim = (int) pooled.getShape().get(1);
            vectors = pooled.toFloatArray();
        } catch (TranslateException e) {
            throw new IllegalStateException("TorchScript forward pass failed: " + e.getMessage(), e);
        }
        List<TeacherEmbedding> embeddings = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            embeddings.add(new TeacherEmbedding(Arrays.copyOfRange(vectors, b * dim, (b + 1) * dim), lengths[b], truncated[b]));
        }
        return embeddings;
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        tokenizer.close();
    }
}
