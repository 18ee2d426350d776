package dev.kclip.trainer.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.formats.safetensors.SafetensorsWriter;
import dev.kclip.formats.safetensors.StoredType;
import dev.kclip.trainer.data.ImageTransform;
import dev.kclip.trainer.data.StudentTokenizer;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import dev.kclip.trainer.model.StudentModel;
import dev.kclip.trainer.model.clip.ClipNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports a checkpoint for Python users: {@code model.safetensors} with Hugging Face {@code CLIPModel} names where
 * the shapes correspond, a {@code config.json} for {@code CLIPModel.from_pretrained}, the {@code tokenizer.json}
 * (padding and truncation set to the model's text positions) with its {@code tokenizer_config.json}, and a
 * {@code preprocessor_config.json} matching the trainer's evaluation preprocessing. The export is also a directory
 * {@code kclip train --init} starts a student from. {@code W_e} and {@code C}, which CLIP has not, are exported under
 * {@code knowledge_clip.*} (transformers ignores them when loading a CLIPModel). Text pooling at the end token is
 * what CLIPModel does (it pools at {@code eos_token_id}, here the tokenizer's end token); mean pooling has no
 * CLIPModel equivalent and is noted in the config.
 */
public final class HuggingFaceExport {

    public static final String WEIGHTS = "model.safetensors";
    private static final Logger LOG = LoggerFactory.getLogger(HuggingFaceExport.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HuggingFaceExport() {
    }

    /** The CLIPModel name of one of our parameter names. */
    public static String huggingFaceName(String name) {
        return ClipNames.huggingFace(name);
    }

    /** Writes the export of a verified checkpoint into {@code target} (created if needed); returns the files. */
    public static List<Path> export(StoredCheckpoint checkpoint, Path target) throws IOException {
        return export(checkpoint, target, StoredType.F32);
    }

    /**
     * Writes the export with its weights stored as {@code dtype}: {@code F32}, or {@code F16} for half the size
     * (the importer widens it to float32 again; values keep about three significant digits).
     */
    public static List<Path> export(StoredCheckpoint checkpoint, Path target, StoredType dtype) throws IOException {
        if (dtype != StoredType.F32 && dtype != StoredType.F16) {
            throw new IllegalArgumentException("exports store F32 or F16, not " + dtype);
        }
        Files.createDirectories(target);
        CheckpointManifest manifest = checkpoint.manifest();
        ModelConfig config = checkpoint.model();
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(checkpoint.file(StoredCheckpoint.WEIGHTS_FILE));
             StudentModel model = StudentModel.load(config, Device.cpu(), Precision.FP32, in)) {
            for (Map.Entry<String, Parameter> p : model.parameters().entrySet()) {
                NDArray array = p.getValue().getArray();
                long[] shape = p.getKey().equals("logit_scale") ? new long[0] : array.getShape().getShape();
                float[] values = array.toFloatArray();
                tensors.put(huggingFaceName(p.getKey()), dtype == StoredType.F16
                        ? SafetensorsWriter.Tensor.f16(values, shape) : SafetensorsWriter.Tensor.f32(values, shape));
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("kclip_run", manifest.runId());
        metadata.put("kclip_version", Long.toString(manifest.version()));
        metadata.put("kclip_step", Long.toString(manifest.step()));
        Path weights = target.resolve(WEIGHTS);
        SafetensorsWriter.write(weights, tensors, metadata);
        Path tokenizerFile = target.resolve("tokenizer.json");
        Path tokenizerConfigFile = target.resolve("tokenizer_config.json");
        Path configFile = target.resolve("config.json");
        try (StudentTokenizer tokenizer = StudentTokenizer.load(config.tokenizer(), config.contextLength())) {
            ObjectNode definition = fixedLength(tokenizer);
            Files.write(tokenizerFile, JSON.writeValueAsBytes(definition));
            Files.write(tokenizerConfigFile, JSON.writeValueAsBytes(tokenizerConfig(tokenizer, definition)));
            Files.write(configFile, JSON.writeValueAsBytes(clipConfig(config, tokenizer, definition, manifest, dtype)));
        }
        Path preprocessor = target.resolve("preprocessor_config.json");
        Files.write(preprocessor, JSON.writeValueAsBytes(preprocessorConfig(config)));
        if (config.textPooling() == ModelConfig.TextPooling.MEAN) {
            LOG.warn("this model pools text by the mean; CLIPModel pools at the end token, so its text embeddings will differ");
        }
        return List.of(weights, configFile, tokenizerFile, tokenizerConfigFile, preprocessor);
    }

    /**
     * The tokenizer's {@code tokenizer.json} truncating and padding to the model's text positions (a file made for
     * longer sequences, such as MiniLM's 128, would otherwise give ids the model has no positions for). Padding
     * keeps the file's pad token, or uses the end token (what CLIP pads with) when the file has none.
     */
    private static ObjectNode fixedLength(StudentTokenizer tokenizer) throws IOException {
        ObjectNode definition = (ObjectNode) JSON.readTree(tokenizer.definition());
        int positions = tokenizer.contextLength();
        ObjectNode truncation = definition.putObject("truncation");
        truncation.put("direction", "Right");
        truncation.put("max_length", positions);
        truncation.put("strategy", "LongestFirst");
        truncation.put("stride", 0);
        JsonNode oldPadding = definition.path("padding");
        long padId = oldPadding.has("pad_id") ? oldPadding.get("pad_id").asLong() : tokenizer.endTokenId();
        String padToken = oldPadding.has("pad_token") ? oldPadding.get("pad_token").asText()
                : tokenizer.tokenTexts()[(int) tokenizer.endTokenId()];
        ObjectNode padding = definition.putObject("padding");
        padding.putObject("strategy").put("Fixed", positions);
        padding.put("direction", "Right");
        padding.putNull("pad_to_multiple_of");
        padding.put("pad_id", padId);
        padding.put("pad_type_id", 0);
        padding.put("pad_token", padToken);
        return definition;
    }

    /** {@code tokenizer_config.json}: CLIP's tokenizer class for a BPE vocabulary, BERT's for WordPiece. */
    private static ObjectNode tokenizerConfig(StudentTokenizer tokenizer, ObjectNode definition) {
        String[] texts = tokenizer.tokenTexts();
        String start = texts[(int) tokenizer.startTokenId()];
        String end = texts[(int) tokenizer.endTokenId()];
        String pad = definition.path("padding").path("pad_token").asText();
        ObjectNode t = JSON.createObjectNode();
        boolean bpe = definition.path("model").path("type").asText().equals("BPE");
        t.put("tokenizer_class", bpe ? "CLIPTokenizer" : "BertTokenizer");
        t.put("model_max_length", tokenizer.contextLength());
        t.put("do_lower_case", true);
        t.put("pad_token", pad);
        if (bpe) {
            t.put("bos_token", start);
            t.put("eos_token", end);
            t.put("unk_token", definition.path("model").path("unk_token").asText(end));
        } else {
            t.put("cls_token", start);
            t.put("sep_token", end);
            t.put("unk_token", definition.path("model").path("unk_token").asText("[UNK]"));
            t.put("mask_token", "[MASK]");
        }
        return t;
    }

    private static ObjectNode clipConfig(ModelConfig c, StudentTokenizer tokenizer, ObjectNode definition,
            CheckpointManifest manifest, StoredType dtype) {
        String hiddenAct = c.activation() == ModelConfig.Activation.GELU ? "gelu" : "quick_gelu";
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("CLIPModel");
        root.put("model_type", "clip");
        root.put("projection_dim", c.embedDim());
        root.put("logit_scale_init_value", 2.6592);
        root.put("torch_dtype", dtype == StoredType.F16 ? "float16" : "float32");
        ObjectNode text = root.putObject("text_config");
        text.put("model_type", "clip_text_model");
        text.put("vocab_size", c.vocabSize());
        text.put("hidden_size", c.textWidth());
        text.put("intermediate_size", c.textMlpWidth());
        text.put("num_hidden_layers", c.textLayers());
        text.put("num_attention_heads", c.textHeads());
        text.put("max_position_embeddings", c.contextLength());
        text.put("hidden_act", hiddenAct);
        text.put("layer_norm_eps", c.layerNormEpsilon());
        text.put("projection_dim", c.embedDim());
        text.put("pad_token_id", definition.path("padding").path("pad_id").asLong());
        text.put("bos_token_id", tokenizer.startTokenId());
        text.put("eos_token_id", tokenizer.endTokenId());
        ObjectNode vision = root.putObject("vision_config");
        vision.put("model_type", "clip_vision_model");
        vision.put("hidden_size", c.visionWidth());
        vision.put("intermediate_size", c.visionMlpWidth());
        vision.put("num_hidden_layers", c.visionLayers());
        vision.put("num_attention_heads", c.visionHeads());
        vision.put("image_size", c.imageSize());
        vision.put("patch_size", c.patchSize());
        vision.put("num_channels", 3);
        vision.put("hidden_act", hiddenAct);
        vision.put("layer_norm_eps", c.layerNormEpsilon());
        vision.put("projection_dim", c.embedDim());
        ObjectNode kclip = root.putObject("knowledge_clip");
        kclip.set("model", c.toJson());
        kclip.put("teacher_model_id", manifest.teacherModelId());
        kclip.put("teacher_dim", c.teacherDim());
        kclip.put("concepts", c.conceptCount());
        kclip.put("centroid_version", manifest.centroidVersion());
        kclip.put("text_pooling", c.textPooling().name());
        kclip.put("note", "W_e and C are under knowledge_clip.*; W_e reads the L2-normalised text embedding");
        return root;
    }

    private static ObjectNode preprocessorConfig(ModelConfig c) {
        ObjectNode p = JSON.createObjectNode();
        p.put("image_processor_type", "CLIPImageProcessor");
        p.put("do_resize", true);
        p.putObject("size").put("shortest_edge", c.imageSize());
        p.put("do_center_crop", true);
        p.putObject("crop_size").put("height", c.imageSize()).put("width", c.imageSize());
        p.put("do_normalize", true);
        p.put("do_convert_rgb", true);
        p.put("resample", 2); // bilinear, as ImageTransform.eval
        p.put("do_rescale", true);
        p.put("rescale_factor", 1 / 255.0);
        ArrayNode mean = p.putArray("image_mean");
        ArrayNode std = p.putArray("image_std");
        for (int i = 0; i < 3; i++) {
            mean.add(ImageTransform.MEAN[i]);
            std.add(ImageTransform.STD[i]);
        }
        return p;
    }
}
