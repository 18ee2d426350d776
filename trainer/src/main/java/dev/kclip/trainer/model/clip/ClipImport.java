package dev.kclip.trainer.model.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.formats.safetensors.SafetensorsCheckpoint;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import dev.kclip.trainer.model.StudentModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pretrained CLIP directory, read so that the student starts as that CLIP: its shapes become the student's
 * {@link ModelConfig} ({@link #modelConfig}), its tower weights and temperature are copied into a student built
 * from it ({@link #loadInto}); {@code W_e} and {@code C} stay freshly initialised.
 *
 * <p>Layouts ({@link ClipLayout}): Hugging Face {@code CLIPModel} (shapes from {@code config.json}, weights from
 * {@code model.safetensors} or the shards of {@code model.safetensors.index.json}) and open_clip (one
 * {@code *.safetensors}; shapes from the tensors, heads and activation from {@code open_clip_config.json}, else
 * open_clip's defaults: 64-wide heads and GELU). Both need the model's {@code tokenizer.json}. float16 and bfloat16
 * weights are widened to float32. Only ViT CLIPs are supported; a ResNet image tower is refused by name.
 */
public final class ClipImport implements AutoCloseable {

    /** The tokenizer file a pretrained directory must hold. */
    public static final String TOKENIZER = "tokenizer.json";

    private static final Logger LOG = LoggerFactory.getLogger(ClipImport.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VISION_LAYER = Pattern.compile("^visual\\.transformer\\.resblocks\\.(\\d+)\\.");
    private static final Pattern TEXT_LAYER = Pattern.compile("^transformer\\.resblocks\\.(\\d+)\\.");
    /** open_clip's default width of one attention head. */
    private static final int OPEN_CLIP_HEAD_WIDTH = 64;

    /** The architecture read from the directory. */
    private record Shapes(int imageSize, int patchSize, int visionWidth, int visionLayers, int visionHeads,
            int visionIntermediate, int textWidth, int textLayers, int textHeads, int textIntermediate,
            int contextLength, int vocabSize, int embedDim, ModelConfig.Activation activation, double epsilon) {
    }

    private final Path directory;
    private final ClipLayout layout;
    private final SafetensorsCheckpoint tensors;
    private final Shapes shapes;

    private ClipImport(Path directory, ClipLayout layout, SafetensorsCheckpoint tensors, Shapes shapes) {
        this.directory = directory;
        this.layout = layout;
        this.tensors = tensors;
        this.shapes = shapes;
    }

    /**
     * Opens a pretrained CLIP directory and reads its architecture.
     *
     * @throws IllegalArgumentException when it is not a CLIP directory of a supported layout and architecture
     */
    public static ClipImport open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("--init " + directory + " is not a directory");
        }
        if (!Files.isRegularFile(directory.resolve(TOKENIZER))) {
            throw new IllegalArgumentException(directory + " has no " + TOKENIZER
                    + " (the model's CLIP BPE tokenizer; vocab.json/merges.txt alone are not read)");
        }
        if (Files.isRegularFile(directory.resolve("config.json"))) {
            SafetensorsCheckpoint tensors = SafetensorsCheckpoint.open(directory);
            try {
                return new ClipImport(directory, ClipLayout.HUGGING_FACE, tensors,
                        huggingFaceShapes(directory, readJson(directory.resolve("config.json")), tensors));
            } catch (RuntimeException e) {
                tensors.close();
                throw e;
            }
        }
        List<Path> safetensors = safetensorsIn(directory);
        if (safetensors.size() != 1) {
            throw new IllegalArgumentException(directory + " is neither a Hugging Face CLIP (no config.json) nor an"
                    + " open_clip checkpoint (expected one *.safetensors, found " + safetensors.size() + ")");
        }
        SafetensorsCheckpoint tensors = SafetensorsCheckpoint.openFile(safetensors.get(0));
        try {
            Path config = directory.resolve("open_clip_config.json");
            JsonNode modelConfig = Files.isRegularFile(config) ? readJson(config).path("model_cfg") : null;
            return new ClipImport(directory, ClipLayout.OPEN_CLIP, tensors, openClipShapes(directory, modelConfig, tensors));
        } catch (RuntimeException e) {
            tensors.close();
            throw e;
        }
    }

    /** The student configuration of {@code directory}'s CLIP with {@code heads}' own fields (see {@link #modelConfig}). */
    public static ModelConfig configure(Path directory, ModelConfig heads) {
        try (ClipImport clip = open(directory)) {
            return clip.modelConfig(heads);
        }
    }

    /**
     * A student built from {@code config} (a configuration this class made, so {@code config.pretrained()} names the
     * directory) with the directory's weights loaded; the student is closed again when loading fails.
     *
     * @throws IllegalArgumentException when the directory is not a supported CLIP or its weights do not fit
     */
    public static StudentModel student(ModelConfig config, Device device, Precision precision, long seed) {
        if (config.pretrained() == null) {
            throw new IllegalArgumentException("model " + config.name() + " names no pretrained directory");
        }
        StudentModel model = StudentModel.create(config, device, precision, seed);
        try (ClipImport clip = open(Path.of(config.pretrained()))) {
            clip.loadInto(model);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public ClipLayout layout() {
        return layout;
    }

    /**
     * The student configuration that is this CLIP: every tower shape, the activation, the layer-norm epsilon, the
     * directory's tokenizer, pooling at the end token, and {@code pretrained} naming this directory. What CLIP does
     * not have comes from {@code heads}: {@code W_e}'s kind and hidden width, {@code C}'s input, teacher dimension
     * and K.
     */
    public ModelConfig modelConfig(ModelConfig heads) {
        Shapes s = shapes;
        return new ModelConfig("clip:" + directory.toAbsolutePath().normalize().getFileName(), s.imageSize(),
                s.patchSize(), s.visionWidth(), s.visionLayers(), s.visionHeads(), s.textWidth(), s.textLayers(),
                s.textHeads(), s.contextLength(), s.vocabSize(), s.embedDim(), heads.mlpRatio(),
                ModelConfig.TextPooling.END, heads.projector(), heads.projectorHidden(), heads.classifierInput(),
                heads.teacherDim(), heads.conceptCount(), directory.resolve(TOKENIZER).toString(), s.activation(),
                s.epsilon(), s.visionIntermediate(), s.textIntermediate(), directory.toString());
    }

    /**
     * Copies this CLIP's tower weights and {@code logit_scale} into {@code model}, which must have been built from
     * {@link #modelConfig}.
     *
     * @throws IllegalArgumentException naming the tensor when one is missing or its shape is not the student's
     */
    public void loadInto(StudentModel model) {
        Set<String> used = new HashSet<>();
        try (NDManager scratch = model.manager().newSubManager()) {
            for (Map.Entry<String, Parameter> e : model.parameters().entrySet()) {
                if (!ClipNames.isClipWeight(e.getKey())) {
                    continue;
                }
                NDArray target = e.getValue().getArray();
                NDArray value = layout == ClipLayout.HUGGING_FACE
                        ? huggingFaceTensor(e.getKey(), target.getShape(), scratch, used)
                        : openClipTensor(e.getKey(), target.getShape(), scratch, used);
                target.set(value.toFloatArray());
            }
        }
        Set<String> unused = new TreeSet<>(tensors.names());
        unused.removeAll(used);
        LOG.info("student initialised from {} ({}, {} tensors){}", directory, layout, used.size(),
                unused.isEmpty() ? "" : "; not used: " + unused);
    }

    private NDArray huggingFaceTensor(String ours, Shape expected, NDManager scratch, Set<String> used) {
        String name = ClipNames.huggingFace(ours);
        require(name);
        Shape stored = tensors.shape(name);
        // CLIPModel stores logit_scale as a scalar, the student as [1]
        if (ours.equals("logit_scale") && stored.size() == 1) {
            stored = expected;
        }
        checkShape(name, expected, stored);
        used.add(name);
        return tensors.load(name, scratch, DataType.FLOAT32).reshape(expected);
    }

    private NDArray openClipTensor(String ours, Shape expected, NDManager scratch, Set<String> used) {
        ClipNames.OpenClipSource source = ClipNames.openClip(ours);
        require(source.name());
        Shape stored = tensors.shape(source.name());
        used.add(source.name());
        return switch (source.transform()) {
            case SAME -> {
                if (ours.equals("logit_scale") && stored.size() == 1) {
                    stored = expected;
                }
                checkShape(source.name(), expected, stored);
                yield tensors.load(source.name(), scratch, DataType.FLOAT32).reshape(expected);
            }
            case TRANSPOSE -> {
                checkShape(source.name(), new Shape(expected.get(1), expected.get(0)), stored);
                yield tensors.load(source.name(), scratch, DataType.FLOAT32).transpose();
            }
            case QUERY, KEY, VALUE -> {
                long rows = expected.get(0);
                Shape fused = expected.dimension() == 1 ? new Shape(3 * rows) : new Shape(3 * rows, expected.get(1));
                checkShape(source.name(), fused, stored);
                long start = rows * switch (source.transform()) {
                    case QUERY -> 0;
                    case KEY -> 1;
                    default -> 2;
                };
                yield tensors.load(source.name(), scratch, DataType.FLOAT32).get(start + ":" + (start + rows));
            }
        };
    }

    private void require(String name) {
        if (!tensors.contains(name)) {
            throw new IllegalArgumentException("pretrained CLIP " + directory + " (" + layout + ") has no tensor '"
                    + name + "'");
        }
    }

    private void checkShape(String name, Shape expected, Shape stored) {
        if (!expected.equals(stored)) {
            throw new IllegalArgumentException("pretrained CLIP " + directory + ": tensor '" + name + "' has shape "
                    + stored + ", the student expects " + expected);
        }
    }

    @Override
    public void close() {
        tensors.close();
    }

    // ------------------------------------------------------------------------------------------ Hugging Face

    private static Shapes huggingFaceShapes(Path directory, JsonNode config, SafetensorsCheckpoint tensors) {
        String modelType = config.path("model_type").asText("clip");
        if (!modelType.equals("clip")) {
            throw new IllegalArgumentException(directory + ": model_type '" + modelType
                    + "' is not supported; only CLIPModel (model_type clip) with a ViT image tower");
        }
        JsonNode text = section(config, "text_config");
        JsonNode vision = section(config, "vision_config");
        if (!tensors.contains("vision_model.embeddings.patch_embedding.weight")) {
            throw new IllegalArgumentException(directory + ": unsupported architecture: the image tower is not a patch"
                    + " ViT (a ResNet CLIP?); only ViT CLIPs can start the student");
        }
        // absent fields take CLIPTextConfig's / CLIPVisionConfig's defaults, as transformers does
        ModelConfig.Activation textAct = activation(directory, text.path("hidden_act").asText("quick_gelu"));
        ModelConfig.Activation visionAct = activation(directory, vision.path("hidden_act").asText("quick_gelu"));
        double textEps = text.path("layer_norm_eps").asDouble(1e-5);
        double visionEps = vision.path("layer_norm_eps").asDouble(1e-5);
        if (textAct != visionAct || textEps != visionEps) {
            throw new IllegalArgumentException(directory + ": towers with different hidden_act or layer_norm_eps"
                    + " are not supported (text " + textAct + "/" + textEps + ", vision " + visionAct + "/" + visionEps + ")");
        }
        int projection = config.path("projection_dim").asInt(512);
        return new Shapes(vision.path("image_size").asInt(224), vision.path("patch_size").asInt(32),
                vision.path("hidden_size").asInt(768), vision.path("num_hidden_layers").asInt(12),
                vision.path("num_attention_heads").asInt(12), vision.path("intermediate_size").asInt(3072),
                text.path("hidden_size").asInt(512), text.path("num_hidden_layers").asInt(12),
                text.path("num_attention_heads").asInt(8), text.path("intermediate_size").asInt(2048),
                text.path("max_position_embeddings").asInt(77), text.path("vocab_size").asInt(49408), projection,
                textAct, textEps);
    }

    /** {@code text_config} (or the {@code text_config_dict} of older configs). */
    private static JsonNode section(JsonNode config, String name) {
        JsonNode node = config.path(name);
        return node.isObject() ? node : config.path(name + "_dict");
    }

    private static ModelConfig.Activation activation(Path directory, String hiddenAct) {
        return switch (hiddenAct) {
            case "quick_gelu" -> ModelConfig.Activation.QUICK_GELU;
            case "gelu" -> ModelConfig.Activation.GELU;
            default -> throw new IllegalArgumentException(directory + ": hidden_act '" + hiddenAct
                    + "' is not supported (quick_gelu or gelu)");
        };
    }

    // ------------------------------------------------------------------------------------------ open_clip

    private static Shapes openClipShapes(Path directory, JsonNode modelConfig, SafetensorsCheckpoint tensors) {
        if (tensors.contains("visual.layer1.0.conv1.weight") || tensors.contains("visual.attnpool.positional_embedding")
                || tensors.names().stream().anyMatch(n -> n.startsWith("visual.layer1."))) {
            throw new IllegalArgumentException(directory + ": unsupported architecture: open_clip ModifiedResNet image"
                    + " tower (visual.layer1...); only ViT CLIPs can start the student");
        }
        if (!tensors.contains("visual.conv1.weight")) {
            throw new IllegalArgumentException(directory + ": not an open_clip ViT checkpoint: it has no tensor"
                    + " 'visual.conv1.weight'");
        }
        Shape conv = tensors.shape("visual.conv1.weight");
        int visionWidth = (int) conv.get(0);
        int patch = (int) conv.get(2);
        int positions = (int) requireShape(directory, tensors, "visual.positional_embedding").get(0);
        int grid = (int) Math.round(Math.sqrt(positions - 1));
        Shape tokens = requireShape(directory, tensors, "token_embedding.weight");
        int textWidth = (int) tokens.get(1);
        JsonNode visionCfg = modelConfig == null ? JSON.missingNode() : modelConfig.path("vision_cfg");
        JsonNode textCfg = modelConfig == null ? JSON.missingNode() : modelConfig.path("text_cfg");
        if (modelConfig == null) {
            LOG.warn("{} has no open_clip_config.json: assuming open_clip's defaults, {}-wide attention heads and GELU",
                    directory, OPEN_CLIP_HEAD_WIDTH);
        }
        int visionHeads = visionWidth / visionCfg.path("head_width").asInt(OPEN_CLIP_HEAD_WIDTH);
        int textHeads = textCfg.has("heads") ? textCfg.get("heads").asInt() : textWidth / OPEN_CLIP_HEAD_WIDTH;
        ModelConfig.Activation act = modelConfig != null && modelConfig.path("quick_gelu").asBoolean(false)
                ? ModelConfig.Activation.QUICK_GELU : ModelConfig.Activation.GELU;
        return new Shapes(grid * patch, patch, visionWidth, countLayers(tensors, VISION_LAYER), visionHeads,
                (int) requireShape(directory, tensors, "visual.transformer.resblocks.0.mlp.c_fc.weight").get(0),
                textWidth, countLayers(tensors, TEXT_LAYER), textHeads,
                (int) requireShape(directory, tensors, "transformer.resblocks.0.mlp.c_fc.weight").get(0),
                (int) requireShape(directory, tensors, "positional_embedding").get(0), (int) tokens.get(0),
                (int) requireShape(directory, tensors, "visual.proj").get(1), act, ModelConfig.DEFAULT_LAYER_NORM_EPSILON);
    }

    private static Shape requireShape(Path directory, SafetensorsCheckpoint tensors, String name) {
        if (!tensors.contains(name)) {
            throw new IllegalArgumentException("pretrained CLIP " + directory + " (OPEN_CLIP) has no tensor '" + name + "'");
        }
        return tensors.shape(name);
    }

    private static int countLayers(SafetensorsCheckpoint tensors, Pattern layer) {
        int layers = 0;
        for (String name : tensors.names()) {
            Matcher m = layer.matcher(name);
            if (m.find()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        return layers;
    }

    private static List<Path> safetensorsIn(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
