package dev.kclip.trainer.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.formats.safetensors.SafetensorsWriter;
import dev.kclip.trainer.data.ImageTransform;
import dev.kclip.trainer.data.StudentTokenizer;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import dev.kclip.trainer.model.StudentModel;
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
 * the shapes correspond, a {@code config.json} for {@code CLIPModel.from_pretrained}, the {@code tokenizer.json},
 * and a {@code preprocessor_config.json}. {@code W_e} and {@code C}, which CLIP has not, are exported under
 * {@code knowledge_clip.*} (transformers ignores them when loading a CLIPModel). Text pooling at the end token is
 * what CLIPModel does (it pools at {@code eos_token_id}, here the tokenizer's end token); mean pooling has no
 * CLIPModel equivalent and is noted in the config.
 */
public final class HuggingFaceExport {

    public static final String WEIGHTS = "model.safetensors";
    private static final Logger LOG = LoggerFactory.getLogger(HuggingFaceExport.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Our name prefix → CLIPModel's, applied in order (first match). */
    private static final List<String[]> RENAMES = List.of(
            new String[] {"visual.class_embedding", "vision_model.embeddings.class_embedding"},
            new String[] {"visual.patch_embedding", "vision_model.embeddings.patch_embedding.weight"},
            new String[] {"visual.position_embedding", "vision_model.embeddings.position_embedding.weight"},
            new String[] {"visual.pre_layrnorm.", "vision_model.pre_layrnorm."},
            new String[] {"visual.layers.", "vision_model.encoder.layers."},
            new String[] {"visual.post_layernorm.", "vision_model.post_layernorm."},
            new String[] {"visual.projection.weight", "visual_projection.weight"},
            new String[] {"text.token_embedding", "text_model.embeddings.token_embedding.weight"},
            new String[] {"text.position_embedding", "text_model.embeddings.position_embedding.weight"},
            new String[] {"text.layers.", "text_model.encoder.layers."},
            new String[] {"text.final_layer_norm.", "text_model.final_layer_norm."},
            new String[] {"text.projection.weight", "text_projection.weight"},
            new String[] {"logit_scale", "logit_scale"});

    private HuggingFaceExport() {
    }

    /** The CLIPModel name of one of our parameter names. */
    public static String huggingFaceName(String name) {
        for (String[] rename : RENAMES) {
            if (name.startsWith(rename[0])) {
                return rename[1] + name.substring(rename[0].length());
            }
        }
        return "knowledge_clip." + name;
    }

    /** Writes the export of a verified checkpoint into {@code target} (created if needed); returns the files. */
    public static List<Path> export(StoredCheckpoint checkpoint, Path target) throws IOException {
        Files.createDirectories(target);
        CheckpointManifest manifest = checkpoint.manifest();
        ModelConfig config = manifest.model();
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(checkpoint.file(StoredCheckpoint.WEIGHTS_FILE));
             StudentModel model = StudentModel.load(config, Device.cpu(), Precision.FP32, in)) {
            for (Map.Entry<String, Parameter> p : model.parameters().entrySet()) {
                NDArray array = p.getValue().getArray();
                long[] shape = p.getKey().equals("logit_scale") ? new long[0] : array.getShape().getShape();
                tensors.put(huggingFaceName(p.getKey()), SafetensorsWriter.Tensor.f32(array.toFloatArray(), shape));
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
        Path configFile = target.resolve("config.json");
        try (StudentTokenizer tokenizer = StudentTokenizer.load(config.tokenizer(), config.contextLength())) {
            Files.write(tokenizerFile, tokenizer.definition());
            Files.write(configFile, JSON.writeValueAsBytes(clipConfig(config, tokenizer, manifest)));
        }
        Path preprocessor = target.resolve("preprocessor_config.json");
        Files.write(preprocessor, JSON.writeValueAsBytes(preprocessorConfig(config)));
        if (config.textPooling() == ModelConfig.TextPooling.MEAN) {
            LOG.warn("this model pools text by the mean; CLIPModel pools at the end token, so its text embeddings will differ");
        }
        return List.of(weights, configFile, tokenizerFile, preprocessor);
    }

    private static ObjectNode clipConfig(ModelConfig c, StudentTokenizer tokenizer, CheckpointManifest manifest) {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("CLIPModel");
        root.put("model_type", "clip");
        root.put("projection_dim", c.embedDim());
        root.put("logit_scale_init_value", 2.6592);
        root.put("torch_dtype", "float32");
        ObjectNode text = root.putObject("text_config");
        text.put("model_type", "clip_text_model");
        text.put("vocab_size", c.vocabSize());
        text.put("hidden_size", c.textWidth());
        text.put("intermediate_size", c.textWidth() * c.mlpRatio());
        text.put("num_hidden_layers", c.textLayers());
        text.put("num_attention_heads", c.textHeads());
        text.put("max_position_embeddings", c.contextLength());
        text.put("hidden_act", "quick_gelu");
        text.put("layer_norm_eps", 1e-5);
        text.put("projection_dim", c.embedDim());
        text.put("pad_token_id", 0);
        text.put("bos_token_id", tokenizer.startTokenId());
        text.put("eos_token_id", tokenizer.endTokenId());
        ObjectNode vision = root.putObject("vision_config");
        vision.put("model_type", "clip_vision_model");
        vision.put("hidden_size", c.visionWidth());
        vision.put("intermediate_size", c.visionWidth() * c.mlpRatio());
        vision.put("num_hidden_layers", c.visionLayers());
        vision.put("num_attention_heads", c.visionHeads());
        vision.put("image_size", c.imageSize());
        vision.put("patch_size", c.patchSize());
        vision.put("num_channels", 3);
        vision.put("hidden_act", "quick_gelu");
        vision.put("layer_norm_eps", 1e-5);
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
        p.put("resample", 2);
        ArrayNode mean = p.putArray("image_mean");
        ArrayNode std = p.putArray("image_std");
        for (int i = 0; i < 3; i++) {
            mean.add(ImageTransform.MEAN[i]);
            std.add(ImageTransform.STD[i]);
        }
        return p;
    }
}
