package dev.kclip.teacher.llama;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.formats.safetensors.SafetensorsCheckpoint;
import dev.kclip.formats.safetensors.SafetensorsWriter;
import dev.kclip.formats.safetensors.SafetensorsWriter.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Converts the llama2.c fixture to a Hugging Face Llama directory the way transformers'
 * convert_llama_weights_to_hf.py does: wq and wk permuted from interleaved to rotate-half RoPE layout, names
 * mapped (w1 → gate_proj, w2 → down_proj, w3 → up_proj), the weights split over two safetensors shards with a
 * model.safetensors.index.json, and a config.json.
 */
final class HuggingFaceConversion {

    /** The metadata transformers' save_pretrained writes. */
    private static final Map<String, String> PYTORCH = Map.of("format", "pt");

    /** Tensor name → [shape, values], in file order. */
    record Named(long[] shape, float[] values) {
    }

    private HuggingFaceConversion() {
    }

    /** The fixture's tensors under Hugging Face names, wq/wk permuted, lm_head written out (untied). */
    static Map<String, Named> tensors() {
        LlamaConfig c = Llama2cCheckpoint.readConfig(Llama2cFixture.modelFile());
        float[] w = Llama2cFixture.weights();
        int dim = c.dim();
        int layers = c.nLayers();
        int[] at = {0};
        BiFunction<Integer, Integer, float[]> take = (rows, cols) -> {
            float[] v = Arrays.copyOfRange(w, at[0], at[0] + rows * cols);
            at[0] += rows * cols;
            return v;
        };
        float[] embed = take.apply(c.vocabSize(), dim);
        float[][] rmsAtt = new float[layers][];
        float[][] wq = new float[layers][];
        float[][] wk = new float[layers][];
        float[][] wv = new float[layers][];
        float[][] wo = new float[layers][];
        float[][] rmsFfn = new float[layers][];
        float[][] w1 = new float[layers][];
        float[][] w2 = new float[layers][];
        float[][] w3 = new float[layers][];
        for (int l = 0; l < layers; l++) { rmsAtt[l] = take.apply(1, dim); }
        for (int l = 0; l < layers; l++) { wq[l] = take.apply(dim, dim); }
        for (int l = 0; l < layers; l++) { wk[l] = take.apply(c.kvDim(), dim); }
        for (int l = 0; l < layers; l++) { wv[l] = take.apply(c.kvDim(), dim); }
        for (int l = 0; l < layers; l++) { wo[l] = take.apply(dim, dim); }
        for (int l = 0; l < layers; l++) { rmsFfn[l] = take.apply(1, dim); }
        for (int l = 0; l < layers; l++) { w1[l] = take.apply(c.hiddenDim(), dim); }
        for (int l = 0; l < layers; l++) { w2[l] = take.apply(dim, c.hiddenDim()); }
        for (int l = 0; l < layers; l++) { w3[l] = take.apply(c.hiddenDim(), dim); }
        float[] norm = take.apply(1, dim);

        Map<String, Named> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", new Named(new long[] {c.vocabSize(), dim}, embed));
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            out.put(p + "input_layernorm.weight", new Named(new long[] {dim}, rmsAtt[l]));
            out.put(p + "self_attn.q_proj.weight", new Named(new long[] {dim, dim}, permute(wq[l], c.nHeads(), dim, dim)));
            out.put(p + "self_attn.k_proj.weight", new Named(new long[] {c.kvDim(), dim}, permute(wk[l], c.nKvHeads(), c.kvDim(), dim)));
            out.put(p + "self_attn.v_proj.weight", new Named(new long[] {c.kvDim(), dim}, wv[l]));
            out.put(p + "self_attn.o_proj.weight", new Named(new long[] {dim, dim}, wo[l]));
            out.put(p + "post_attention_layernorm.weight", new Named(new long[] {dim}, rmsFfn[l]));
            out.put(p + "mlp.gate_proj.weight", new Named(new long[] {c.hiddenDim(), dim}, w1[l]));
            out.put(p + "mlp.down_proj.weight", new Named(new long[] {dim, c.hiddenDim()}, w2[l]));
            out.put(p + "mlp.up_proj.weight", new Named(new long[] {c.hiddenDim(), dim}, w3[l]));
        }
        out.put("model.norm.weight", new Named(new long[] {dim}, norm));
        out.put("lm_head.weight", new Named(new long[] {c.vocabSize(), dim}, embed.clone()));
        return out;
    }

    /**
     * transformers' {@code permute(w, n_heads, dim1, dim2) = w.view(n_heads, dim1 // n_heads // 2, 2, dim2)
     * .transpose(1, 2).reshape(dim1, dim2)}: row {@code h·hs + 2i + k} moves to {@code h·hs + k·hs/2 + i}.
     */
    static float[] permute(float[] w, int heads, int rows, int cols) {
        int headSize = rows / heads;
        int half = headSize / 2;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int k = 0; k < 2; k++) {
                    int from = h * headSize + 2 * i + k;
                    int to = h * headSize + k * half + i;
                    System.arraycopy(w, from * cols, out, to * cols, cols);
                }
            }
        }
        return out;
    }

    /**
     * Writes {@code tensors} into {@code dir} as two shards + index (or one model.safetensors when
     * {@code sharded} is false), encoding each with {@code encoder}, plus config.json.
     */
    static void write(Path dir, Map<String, Named> tensors, BiFunction<float[], long[], Tensor> encoder, boolean sharded)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, Tensor> first = new LinkedHashMap<>();
        Map<String, Tensor> second = new LinkedHashMap<>();
        ObjectNode index = json.createObjectNode();
        ObjectNode weightMap = index.putObject("weight_map");
        String firstName = sharded ? "model-00001-of-00002.safetensors" : SafetensorsCheckpoint.SINGLE_FILE;
        String secondName = "model-00002-of-00002.safetensors";
        for (Map.Entry<String, Named> e : tensors.entrySet()) {
            boolean late = sharded && (e.getKey().startsWith("model.layers.3") || e.getKey().startsWith("model.layers.4")
                    || !e.getKey().startsWith("model.layers") && !e.getKey().startsWith("model.embed"));
            (late ? second : first).put(e.getKey(), encoder.apply(e.getValue().values(), e.getValue().shape()));
            weightMap.put(e.getKey(), late ? secondName : firstName);
        }
        long total = SafetensorsWriter.write(dir.resolve(firstName), first, PYTORCH);
        if (sharded) {
            total += SafetensorsWriter.write(dir.resolve(secondName), second, PYTORCH);
            index.putObject("metadata").put("total_size", total);
            json.writeValue(dir.resolve(SafetensorsCheckpoint.INDEX).toFile(), index);
        }
        ObjectNode config = json.createObjectNode()
                .put("model_type", "llama").put("hidden_act", "silu")
                .put("hidden_size", 64).put("intermediate_size", 172).put("num_hidden_layers", 5)
                .put("num_attention_heads", 8).put("num_key_value_heads", 4).put("vocab_size", 512)
                .put("max_position_embeddings", 512).put("rms_norm_eps", 1e-5).put("rope_theta", 10000.0)
                .put("tie_word_embeddings", false).put("bos_token_id", 1).put("eos_token_id", 2)
                .put("torch_dtype", "float32");
        config.putNull("rope_scaling");
        config.putArray("architectures").add("LlamaForCausalLM");
        json.writeValue(dir.resolve(HuggingFaceLlama.CONFIG).toFile(), config);
    }
}
