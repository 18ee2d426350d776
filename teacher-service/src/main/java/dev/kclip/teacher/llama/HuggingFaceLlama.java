package dev.kclip.teacher.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.teacher.safetensors.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a Hugging Face Llama directory: {@code config.json} and the weights in {@code model.safetensors} or in
 * shards listed by {@code model.safetensors.index.json} ({@code weight_map}: tensor name → shard file), stored as
 * float32, float16 or bfloat16. Tensors are read one at a time with {@link SafetensorsFile}, so a 13 GB model needs
 * no more host memory than its largest tensor. The query/key projections are in Hugging Face's rotate-half RoPE
 * layout.
 */
public final class HuggingFaceLlama {

    public static final String CONFIG = "config.json";
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
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
        Map<String, Path> shardOf = weightMap(dir);
        Map<Path, SafetensorsFile> open = new LinkedHashMap<>();
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            Loader in = new Loader(shardOf, open, manager, dataType);
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
            boolean tied = config.tiedOutput() || !shardOf.containsKey("lm_head.weight");
            NDArray output = tied ? tokenEmbedding : in.tensor("lm_head.weight");
            LlamaConfig effective = tied == config.tiedOutput() ? config : new LlamaConfig(config.dim(),
                    config.hiddenDim(), config.nLayers(), config.nHeads(), config.nKvHeads(), config.vocabSize(),
                    config.maxSeqLen(), config.normEps(), config.ropeTheta(), config.ropeLayout(), true);
            return Llama.of(effective, new LlamaWeights(tokenEmbedding, layers, rmsFinal, output), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        } finally {
            open.values().forEach(SafetensorsFile::close);
        }
    }

    /** Tensor name → the file holding it. */
    private static Map<String, Path> weightMap(Path dir) {
        Path index = dir.resolve(INDEX);
        Map<String, Path> map = new HashMap<>();
        if (Files.isRegularFile(index)) {
            JsonNode weightMap;
            try {
                weightMap = JSON.readTree(index.toFile()).path("weight_map");
            } catch (IOException e) {
                throw new IllegalArgumentException(index + " is not valid JSON: " + e.getMessage(), e);
            }
            if (!weightMap.isObject()) {
                throw new IllegalArgumentException(index + " has no weight_map object");
            }
            for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
                Path shard = dir.resolve(e.getValue().asText()).normalize();
                if (!shard.startsWith(dir.normalize())) {
                    throw new IllegalArgumentException(index + " points outside " + dir + ": " + e.getValue().asText());
                }
                map.put(e.getKey(), shard);
            }
            return map;
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            throw new IllegalArgumentException(dir + " has neither " + INDEX + " nor " + SINGLE_FILE
                    + " (only safetensors weights are read; convert pytorch_model.bin with transformers' save_pretrained)");
        }
        try (SafetensorsFile file = SafetensorsFile.open(single)) {
            file.names().forEach(name -> map.put(name, single));
        }
        return map;
    }

    /** Opens shards on first use and copies tensors to the device. */
    private record Loader(Map<String, Path> shardOf, Map<Path, SafetensorsFile> open, NDManager manager,
            DataType dataType) {

        NDArray tensor(String name) {
            Path shard = shardOf.get(name);
            if (shard == null) {
                throw new IllegalArgumentException("the model's weights lack tensor " + name);
            }
            if (!Files.isRegularFile(shard)) {
                throw new UncheckedIOException(new IOException("shard " + shard + " (holding " + name + ") is missing"));
            }
            return open.computeIfAbsent(shard, SafetensorsFile::open).load(name, manager, dataType);
        }
    }
}
