package dev.kclip.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The shapes of a Knowledge-CLIP student. Immutable; loaded from JSON, either one of the named configurations
 * bundled with the trainer ({@code tiny}, {@code vit-b-32}) or a file whose fields override a named base:
 * <pre>{"base": "tiny", "visionLayers": 2, "textPooling": "MEAN"}</pre>
 *
 * @param name configuration name, recorded in checkpoints
 * @param imageSize input images are {@code imageSize × imageSize} RGB
 * @param patchSize side of the square patches the ViT embeds ({@code imageSize} must be a multiple)
 * @param visionWidth width of the image transformer
 * @param visionLayers pre-LN blocks of the image transformer
 * @param visionHeads attention heads of the image transformer
 * @param textWidth width of the text transformer
 * @param textLayers pre-LN blocks of the text transformer (causal attention, as CLIP)
 * @param textHeads attention heads of the text transformer
 * @param contextLength longest token sequence, special tokens included; longer captions are truncated
 * @param vocabSize rows of the token embedding; at least the tokenizer's vocabulary
 * @param embedDim size of the shared image-text embedding space
 * @param mlpRatio hidden size of each block's MLP, as a multiple of its width
 * @param textPooling how a caption's token states become one vector: the end token (CLIP) or the mean
 * @param projector {@code W_e}, student text embedding to teacher space: linear or a small MLP
 * @param projectorHidden hidden width of the MLP projector
 * @param classifierInput what the concept classifier {@code C} reads
 * @param teacherDim teacher embedding size; 0 = taken from the first training example
 * @param conceptCount K, concepts of the classifier; 0 = taken from the first training example
 * @param tokenizer {@code tokenizer.json} of the text encoder: {@code classpath:/...} or a file path
 * @param activation the blocks' MLP activation; absent (older configurations) = {@code QUICK_GELU}
 * @param layerNormEpsilon epsilon of every layer normalisation; absent = 1e-5
 * @param visionIntermediate hidden size of the image blocks' MLP; 0 or absent = {@code visionWidth × mlpRatio}
 * @param textIntermediate hidden size of the text blocks' MLP; 0 or absent = {@code textWidth × mlpRatio}
 * @param pretrained the pretrained CLIP directory (see {@code dev.kclip.trainer.model.clip.ClipImport}) a new
 *     student's towers start from; absent = random initial weights. A checkpoint keeps it as a record of its origin.
 */
public record ModelConfig(
        String name,
        int imageSize,
        int patchSize,
        int visionWidth,
        int visionLayers,
        int visionHeads,
        int textWidth,
        int textLayers,
        int textHeads,
        int contextLength,
        int vocabSize,
        int embedDim,
        int mlpRatio,
        TextPooling textPooling,
        ProjectorKind projector,
        int projectorHidden,
        ClassifierInput classifierInput,
        int teacherDim,
        int conceptCount,
        String tokenizer,
        Activation activation,
        double layerNormEpsilon,
        int visionIntermediate,
        int textIntermediate,
        String pretrained) {

    /** CLIP's layer-norm epsilon, the one configurations written before the field existed used. */
    public static final double DEFAULT_LAYER_NORM_EPSILON = 1e-5;

    /** The MiniLM tokenizer bundled in the langchain4j jar: BERT uncased WordPiece, 30,522 tokens. */
    public static final String DEFAULT_TOKENIZER = "classpath:/all-minilm-l6-v2-q-tokenizer.json";
    /** Configurations bundled as resources. */
    public static final List<String> NAMED = List.of("tiny", "vit-b-32");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the text transformer pools a caption. */
    public enum TextPooling { END, MEAN }

    /** The shape of {@code W_e}. */
    public enum ProjectorKind { LINEAR, MLP }

    /** The MLP activation of the transformer blocks. */
    public enum Activation {
        /** CLIP's {@code x · σ(1.702 x)} (OpenAI weights, {@code hidden_act: quick_gelu}). */
        QUICK_GELU,
        /** The exact (erf) GELU ({@code hidden_act: gelu}, open_clip's default). */
        GELU
    }

    /** What the concept classifier {@code C} reads. */
    public enum ClassifierInput { TEXT, IMAGE, BOTH }

    public ModelConfig {
        requirePositive("imageSize", imageSize);
        requirePositive("patchSize", patchSize);
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("imageSize " + imageSize + " is not a multiple of patchSize " + patchSize);
        }
        requireDivisible("vision", visionWidth, visionHeads);
        requireDivisible("text", textWidth, textHeads);
        requirePositive("visionLayers", visionLayers);
        requirePositive("textLayers", textLayers);
        requirePositive("contextLength", contextLength);
        requirePositive("vocabSize", vocabSize);
        requirePositive("embedDim", embedDim);
        requirePositive("mlpRatio", mlpRatio);
        requirePositive("projectorHidden", projectorHidden);
        if (teacherDim < 0 || conceptCount < 0) {
            throw new IllegalArgumentException("teacherDim and conceptCount must be 0 (from the stream) or positive");
        }
        if (textPooling == null || projector == null || classifierInput == null) {
            throw new IllegalArgumentException("textPooling, projector and classifierInput must be set");
        }
        if (tokenizer == null || tokenizer.isBlank()) {
            tokenizer = DEFAULT_TOKENIZER;
        }
        if (activation == null) {
            activation = Activation.QUICK_GELU;
        }
        if (layerNormEpsilon == 0) {
            layerNormEpsilon = DEFAULT_LAYER_NORM_EPSILON;
        }
        if (!(layerNormEpsilon > 0)) {
            throw new IllegalArgumentException("layerNormEpsilon must be positive, not " + layerNormEpsilon);
        }
        if (visionIntermediate < 0 || textIntermediate < 0) {
            throw new IllegalArgumentException("visionIntermediate and textIntermediate must be 0 (width × mlpRatio)"
                    + " or positive");
        }
        if (pretrained != null && pretrained.isBlank()) {
            pretrained = null;
        }
    }

    /** The tiny CPU configuration (64×64 images, width 128). */
    public static ModelConfig tiny() {
        return named("tiny");
    }

    /** CLIP ViT-B/32 shapes (224×224, 32×32 patches, widths 768 and 512, 12 layers each). */
    public static ModelConfig vitB32() {
        return named("vit-b-32");
    }

    /** A bundled configuration by name. */
    public static ModelConfig named(String name) {
        return fromJson(namedTree(name));
    }

    /**
     * A named configuration, or a JSON file (fields override its {@code base}, {@code tiny} when absent).
     *
     * @throws IllegalArgumentException when it is neither, or the file is not a valid configuration
     */
    public static ModelConfig load(String nameOrPath) {
        if (NAMED.contains(nameOrPath)) {
            return named(nameOrPath);
        }
        Path path = Path.of(nameOrPath);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("model config '" + nameOrPath + "' is neither one of " + NAMED
                    + " nor a JSON file");
        }
        try {
            return fromJson(JSON.readTree(path.toFile()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read model config " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads a configuration from JSON; fields absent from {@code node} come from its {@code base}. */
    public static ModelConfig fromJson(JsonNode node) {
        ObjectNode merged;
        if (node.has("base")) {
            merged = namedTree(node.get("base").asText()).deepCopy();
            merged.setAll(((ObjectNode) node.deepCopy()));
            merged.remove("base");
            if (!node.has("name")) {
                merged.put("name", node.get("base").asText() + "+overrides");
            }
        } else {
            merged = (ObjectNode) node;
        }
        try {
            return JSON.treeToValue(merged, ModelConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid model config: " + e.getMessage(), e);
        }
    }

    /** This configuration as JSON, the form checkpoints store. */
    public JsonNode toJson() {
        return JSON.valueToTree(this);
    }

    /** Same shapes with the teacher dimension and concept count known. */
    public ModelConfig withData(int newTeacherDim, int newConceptCount) {
        return new ModelConfig(name, imageSize, patchSize, visionWidth, visionLayers, visionHeads, textWidth,
                textLayers, textHeads, contextLength, vocabSize, embedDim, mlpRatio, textPooling, projector,
                projectorHidden, classifierInput, newTeacherDim, newConceptCount, tokenizer, activation,
                layerNormEpsilon, visionIntermediate, textIntermediate, pretrained);
    }

    /** Same shapes reading their tokenizer from {@code spec} ({@code classpath:/...} or a file path). */
    public ModelConfig withTokenizer(String spec) {
        return new ModelConfig(name, imageSize, patchSize, visionWidth, visionLayers, visionHeads, textWidth,
                textLayers, textHeads, contextLength, vocabSize, embedDim, mlpRatio, textPooling, projector,
                projectorHidden, classifierInput, teacherDim, conceptCount, spec, activation, layerNormEpsilon,
                visionIntermediate, textIntermediate, pretrained);
    }

    /** Same shapes over a vocabulary of {@code size} token ids. */
    public ModelConfig withVocabSize(int size) {
        return new ModelConfig(name, imageSize, patchSize, visionWidth, visionLayers, visionHeads, textWidth,
                textLayers, textHeads, contextLength, size, embedDim, mlpRatio, textPooling, projector,
                projectorHidden, classifierInput, teacherDim, conceptCount, tokenizer, activation, layerNormEpsilon,
                visionIntermediate, textIntermediate, pretrained);
    }

    /** Hidden size of the image blocks' MLP. */
    public int visionMlpWidth() {
        return visionIntermediate > 0 ? visionIntermediate : visionWidth * mlpRatio;
    }

    /** Hidden size of the text blocks' MLP. */
    public int textMlpWidth() {
        return textIntermediate > 0 ? textIntermediate : textWidth * mlpRatio;
    }

    /** Patches per image side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Width of the classifier's input. */
    public int classifierInputWidth() {
        return classifierInput == ClassifierInput.BOTH ? 2 * embedDim : embedDim;
    }

    /** True once the teacher dimension and K are known, so the model can be built. */
    public boolean complete() {
        return teacherDim > 0 && conceptCount > 0;
    }

    private static ObjectNode namedTree(String name) {
        if (!NAMED.contains(name)) {
            throw new IllegalArgumentException("unknown model config '" + name + "'; expected one of " + NAMED);
        }
        try (InputStream in = ModelConfig.class.getResourceAsStream(name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("bundled model config " + name + ".json is missing");
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requirePositive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, not " + value);
        }
    }

    private static void requireDivisible(String tower, int width, int heads) {
        requirePositive(tower + "Width", width);
        requirePositive(tower + "Heads", heads);
        if (width % heads != 0) {
            throw new IllegalArgumentException(tower + "Width " + width + " is not a multiple of " + tower + "Heads " + heads);
        }
    }
}
