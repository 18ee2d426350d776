package dev.kclip.teacher.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.formats.safetensors.SafetensorsCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a Hugging Face Llama directory: {@code config.json} and the weights in {@code model.safetensors} or in
 * shards listed by {@code model.safetensors.index.json}, stored as float32, float16 or bfloat16, under Llama's
 * tensor names. The files are read by {@link SafetensorsCheckpoint}, one tensor at a time, so a 13 GB model needs
 * no more host memory than its largest tensor. The query/key projections are in Hugging Face's rotate-half RoPE
 * layout.
 */
public final class HuggingFaceLlama {

    public static final String CONFIG = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HuggingFaceLlama() {
    }

    /** Reads {@code config.json} of {@code dir}. */
    public static JsonNode readConfigJson(Path dir) {
        Path config = dir.resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException(dir + " has no " + CONFIG + " (expected a Hugging Face model directory)");
        }
        try {
            return JSON.readTree(config.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(config + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Loads the model in {@code dir} onto {@code device} with weights of {@code dataType} (float32 or float16).
     *
     * @throws IllegalArgumentException when the directory lacks a file or a tensor, or a shape does not match
     */
    public static Llama load(Path dir, Device device, DataType dataType) {
        LlamaConfig config = LlamaConfig.fromHuggingFace(readConfigJson(dir));
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try (SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(dir)) {
            Tensors in = name -> weights.load(name, manager, dataType);
            NDArray tokenEmbedding = in.tensor("model.embed_tokens.weight");
            List<LlamaWeights.Layer> layers = new ArrayList<>();
            for (int l = 0; l < config.nLayers(); l++) {
                String p = "model.layers." + l + ".";
                layers.add(new LlamaWeights.Layer(
                        in.tensor(p + "input_layernorm.weight"),
                        in.tensor(p + "self_attn.q_proj.weight"),
                        in.tensor(p + "self_attn.k_proj.weight"),
                        in.tensor(p + "self_attn.v_proj.weight"),
                        in.tensor(p + "self_attn.o_proj.weight"),
                        in.tensor(p + "post_attention_layernorm.weight"),
                        in.tensor(p + "mlp.gate_proj.weight"),
                        in.tensor(p + "mlp.down_proj.weight"),
                        in.tensor(p + "mlp.up_proj.weight")));
            }
            NDArray rmsFinal = in.tensor("model.norm.weight");
            // some exports leave lm_head out when it is the embedding; hidden states never read it either way
            boolean tied = config.tiedOutput() || !weights.contains("lm_head.weight");
            NDArray output = tied ? tokenEmbedding : in.tensor("lm_head.weight");
            LlamaConfig effective = tied == config.tiedOutput() ? config : new LlamaConfig(config.dim(),
                    config.hiddenDim(), config.nLayers(), config.nHeads(), config.nKvHeads(), config.vocabSize(),
                    config.maxSeqLen(), config.normEps(), config.ropeTheta(), config.ropeLayout(), true);
            return Llama.of(effective, new LlamaWeights(tokenEmbedding, layers, rmsFinal, output), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A tensor by name, on the model's device and in its type. */
    private interface Tensors {
        NDArray tensor(String name);
    }
}
