package dev.kclip.teacher.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kclip.teacher.Pooling;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherOptions;
import dev.kclip.teacher.Tokenized;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Llama model as a teacher: tokenise (BOS first), one forward pass per batch, pool a hidden state per caption
 * ({@link TeacherOptions}: mean of the last hidden state over the caption's real tokens by default), optionally
 * L2-normalise. The mean leaves BOS out: its hidden state is an attention sink with a norm far above the others that
 * says nothing about the caption, and would dominate the mean; the model id then ends in {@code #mean,no-bos}, so
 * these vectors are never mixed with means that included it. Captions longer than the model's context are cut to it
 * and flagged.
 *
 * <p>Specs: {@code llama:DIR} (a Hugging Face directory) and {@code llama2c:FILE} (a llama2.c checkpoint). A
 * {@code tokenizer.json} in the directory (or beside the llama2.c file) is used when present; otherwise captions
 * are encoded as UTF-8 byte tokens, which SentencePiece vocabularies with byte fallback (Llama 2, llama2.c) hold.
 */
public final class LlamaTeacher implements TeacherModel {

    public static final String HF_PREFIX = "llama:";
    public static final String LLAMA2C_PREFIX = "llama2c:";
    private static final Logger LOG = LoggerFactory.getLogger(LlamaTeacher.class);

    private final Llama model;
    private final LlamaTokenizer tokenizer;
    private final String modelId;
    private final Pooling pooling;
    /** Leading positions a mean leaves out: BOS, when the tokenizer puts it first. */
    private final int skipped;
    private final int layer;
    private final boolean l2Normalize;

    private LlamaTeacher(Llama model, LlamaTokenizer tokenizer, String modelId, TeacherOptions options) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.skipped = tokenizer.prependsBos() ? 1 : 0;
        this.modelId = modelId + options.idSuffix(skipped > 0);
        this.pooling = options.pooling();
        this.layer = options.resolveLayer(model.config().nLayers());
        this.l2Normalize = options.l2Normalize();
    }

    /**
     * A teacher over a loaded model (it takes ownership of both).
     *
     * @param baseId the model id before the options' suffix, e.g. {@code llama:Llama-2-7b-hf}
     */
    public static LlamaTeacher of(Llama model, LlamaTokenizer tokenizer, String baseId, TeacherOptions options) {
        return new LlamaTeacher(model, tokenizer, baseId, options);
    }

    /** Loads {@code llama:DIR}: a Hugging Face Llama directory. */
    public static LlamaTeacher loadHuggingFace(Path dir, TeacherOptions options) {
        JsonNode config = HuggingFaceLlama.readConfigJson(dir);
        Llama model = HuggingFaceLlama.load(dir, options.device(), options.dataType());
        try {
            LlamaTokenizer tokenizer = tokenizerFor(dir, config.path("bos_token_id").asLong(1),
                    firstId(config.path("eos_token_id"), 2), model.config().vocabSize());
            return new LlamaTeacher(model, tokenizer, HF_PREFIX + name(dir), options);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Loads {@code llama2c:FILE}: a llama2.c checkpoint (BOS id 1). */
    public static LlamaTeacher loadLlama2c(Path file, TeacherOptions options) {
        Llama model = Llama2cCheckpoint.load(file, options.device(), options.dataType());
        try {
            Path dir = file.toAbsolutePath().getParent();
            LlamaTokenizer tokenizer = tokenizerFor(dir, 1, 2, model.config().vocabSize());
            return new LlamaTeacher(model, tokenizer, LLAMA2C_PREFIX + name(file), options);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static LlamaTokenizer tokenizerFor(Path dir, long bosId, long eosId, int vocabSize) {
        if (dir != null && Files.isRegularFile(dir.resolve(HuggingFaceLlamaTokenizer.FILE))) {
            return HuggingFaceLlamaTokenizer.load(dir, bosId, eosId);
        }
        LOG.info("no {} in {}: captions are encoded as UTF-8 byte tokens", HuggingFaceLlamaTokenizer.FILE, dir);
        return new ByteFallbackTokenizer(bosId, vocabSize);
    }

    private static long firstId(JsonNode node, long fallback) {
        return node.isArray() && !node.isEmpty() ? node.get(0).asLong(fallback) : node.asLong(fallback);
    }

    private static String name(Path path) {
        Path fileName = path.toAbsolutePath().normalize().getFileName();
        return fileName == null ? path.toString() : fileName.toString();
    }

    /** The underlying model (for tests and benchmarks that need hidden states or logits). */
    public Llama model() {
        return model;
    }

    public LlamaTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public int dimension() {
        return model.config().dim();
    }

    @Override
    public int maxTokens() {
        return model.config().maxSeqLen();
    }

    @Override
    public int countTokens(String caption) {
        return Math.min(tokenizer.encode(caption).length, maxTokens());
    }

    @Override
    public int contentTokens(String caption) {
        return tokenizer.encode(caption).length - tokenizer.specialTokens();
    }

    @Override
    public Tokenized tokenize(String caption) {
        long[] ids = tokenizer.encode(caption);
        return new Tokenized(caption, ids, Math.min(ids.length, maxTokens()), ids.length - tokenizer.specialTokens(),
                ids.length > maxTokens());
    }

    /** Embeds the tokenizer's ids {@link #tokenize} carries, through {@link #embedIds}. */
    @Override
    public List<TeacherEmbedding> embedTokens(List<Tokenized> captions) {
        List<long[]> sequences = new ArrayList<>(captions.size());
        for (Tokenized t : captions) {
            sequences.add(t.ids() != null ? t.ids() : tokenizer.encode(t.caption()));
        }
        return embedIds(sequences);
    }

    @Override
    public List<TeacherEmbedding> embed(List<String> captions) {
        List<long[]> sequences = new ArrayList<>(captions.size());
        for (String caption : captions) {
            sequences.add(tokenizer.encode(caption));
        }
        return embedIds(sequences);
    }

    /**
     * Embeds token sequences as given: no tokenizer, no BOS added; each is cut to {@link #maxTokens()}. They are
     * pooled as {@link #embed} pools the tokenizer's ids: when the tokenizer puts BOS first, the mean leaves the
     * first position out.
     *
     * @throws IllegalArgumentException for an empty sequence or an id outside the vocabulary
     */
    public List<TeacherEmbedding> embedIds(List<long[]> sequences) {
        if (sequences.isEmpty()) {
            return List.of();
        }
        List<long[]> cut = new ArrayList<>(sequences.size());
        for (long[] ids : sequences) {
            cut.add(ids.length > maxTokens() ? Arrays.copyOf(ids, maxTokens()) : ids);
        }
        TokenBatch batch = TokenBatch.of(cut);
        float[] pooled;
        try (NDManager scope = model.newScope()) {
            NDArray vectors = pooling.pool(model.hiddenStates(scope, batch, layer), batch.lengths(), skipped);
            if (l2Normalize) {
                vectors = vectors.div(vectors.norm(new int[] {-1}, true).maximum(1e-12f));
            }
            pooled = vectors.toFloatArray();
        }
        int dim = dimension();
        List<TeacherEmbedding> embeddings = new ArrayList<>(sequences.size());
        for (int b = 0; b < sequences.size(); b++) {
            embeddings.add(new TeacherEmbedding(Arrays.copyOfRange(pooled, b * dim, (b + 1) * dim),
                    batch.lengths()[b], sequences.get(b).length > maxTokens()));
        }
        return embeddings;
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}
