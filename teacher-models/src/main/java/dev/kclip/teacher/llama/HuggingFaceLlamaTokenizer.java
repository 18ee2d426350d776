package dev.kclip.teacher.llama;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.formats.tokenizer.TokenizerJson;
import dev.kclip.formats.tokenizer.TokenizerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Llama {@code tokenizer.json} run by DJL's Hugging Face tokenizers, with Llama 2's special-token handling done
 * here rather than by the file's post-processor: Llama 2 tokenizers differ in whether {@code tokenizer.json} itself
 * adds {@code <s>} (transformers rebuilds the post-processor from {@code tokenizer_config.json} at load time), so
 * the caption is encoded without special tokens and BOS (and EOS, when {@code add_eos_token} says so) are added
 * from {@code tokenizer_config.json} (defaults: BOS yes, EOS no) and the ids in {@code config.json}.
 */
public final class HuggingFaceLlamaTokenizer implements LlamaTokenizer {

    public static final String FILE = TokenizerJson.FILE_NAME;
    public static final String CONFIG_FILE = "tokenizer_config.json";

    private final HuggingFaceTokenizer tokenizer;
    private final long bosId;
    private final long eosId;
    private final boolean addBos;
    private final boolean addEos;

    private HuggingFaceLlamaTokenizer(HuggingFaceTokenizer tokenizer, long bosId, long eosId, boolean addBos, boolean addEos) {
        this.tokenizer = tokenizer;
        this.bosId = bosId;
        this.eosId = eosId;
        this.addBos = addBos;
        this.addEos = addEos;
    }

    /**
     * Loads {@code dir/tokenizer.json} (and {@code tokenizer_config.json} when present).
     *
     * @param bosId beginning-of-sequence id ({@code bos_token_id} of config.json)
     * @param eosId end-of-sequence id ({@code eos_token_id})
     */
    public static HuggingFaceLlamaTokenizer load(Path dir, long bosId, long eosId) {
        boolean addBos = true;
        boolean addEos = false;
        Path config = dir.resolve(CONFIG_FILE);
        if (Files.isRegularFile(config)) {
            try {
                JsonNode json = new ObjectMapper().readTree(config.toFile());
                addBos = json.path("add_bos_token").asBoolean(true);
                addEos = json.path("add_eos_token").asBoolean(false);
            } catch (IOException e) {
                throw new IllegalArgumentException(config + " is not valid JSON: " + e.getMessage(), e);
            }
        }
        HuggingFaceTokenizer tokenizer = TokenizerJson.read(dir.resolve(FILE))
                .open(TokenizerOptions.defaults().withSpecialTokens(false));
        return new HuggingFaceLlamaTokenizer(tokenizer, bosId, eosId, addBos, addEos);
    }

    @Override
    public long[] encode(String caption) {
        long[] content = tokenizer.encode(caption, false, false).getIds();
        int offset = addBos ? 1 : 0;
        long[] ids = new long[content.length + offset + (addEos ? 1 : 0)];
        if (addBos) {
            ids[0] = bosId;
        }
        System.arraycopy(content, 0, ids, offset, content.length);
        if (addEos) {
            ids[ids.length - 1] = eosId;
        }
        return ids;
    }

    @Override
    public int specialTokens() {
        return (addBos ? 1 : 0) + (addEos ? 1 : 0);
    }

    @Override
    public boolean prependsBos() {
        return addBos;
    }

    @Override
    public String describe() {
        return FILE + (addBos ? " + BOS" : "") + (addEos ? " + EOS" : "");
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
