package dev.kclip.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.formats.tokenizer.TokenizerJson;
import dev.kclip.formats.tokenizer.TokenizerOptions;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.pretrain.CorpusPair;
import dev.kclip.trainer.pretrain.PretrainCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vocabulary trimmed to the emoji-styles corpus tokenizes it as the full MiniLM vocabulary does. */
class VocabularyTrimTest {

    static final Path CORPUS = Path.of("..", "datasets", "emoji-styles", "pairs.jsonl");

    @Test
    void theCorpusTokenizesToTheSameTokensAndUnseenAsciiWordsNeverBecomeUnknown(@TempDir Path dir) throws Exception {
        Set<String> texts = new LinkedHashSet<>();
        for (CorpusPair pair : PretrainCorpus.read(CORPUS, "category", 0).pairs()) {
            texts.addAll(pair.captions());
        }
        assertTrue(texts.size() > 9_000, "caption variants of 4,376 pairs (one concept in two styles shares them): " + texts.size());
        TokenizerJson full = TokenizerJson.read(ModelConfig.DEFAULT_TOKENIZER);
        ObjectNode trimmed = VocabularyTrim.trim(full, texts);
        Path file = dir.resolve("tokenizer.json");
        Files.write(file, new ObjectMapper().writeValueAsBytes(trimmed));
        TokenizerJson small = TokenizerJson.read(file);
        assertTrue(small.vocabularySize() < 8_000 && small.vocabularySize() > 2_000, "trimmed to " + small.vocabularySize());

        List<String> list = new ArrayList<>(texts);
        try (HuggingFaceTokenizer before = full.open(TokenizerOptions.defaults());
             HuggingFaceTokenizer after = small.open(TokenizerOptions.defaults())) {
            for (int from = 0; from < list.size(); from += 512) {
                List<String> chunk = list.subList(from, Math.min(list.size(), from + 512));
                Encoding[] a = before.batchEncode(chunk);
                Encoding[] b = after.batchEncode(chunk);
                for (int i = 0; i < chunk.size(); i++) {
                    assertArrayEquals(a[i].getTokens(), b[i].getTokens(), chunk.get(i));
                }
            }
            // words no caption has, and every printable ASCII character, are pieces of the kept vocabulary
            StringBuilder ascii = new StringBuilder("zygomorphic xylophonists quokka ");
            for (char c = 33; c < 127; c++) {
                ascii.append(c).append(c % 7 == 0 ? " " : "");
            }
            for (String text : List.of(ascii.toString(), "Qwertyuiopasdfghjklzxcvbnm 0123456789")) {
                List<String> tokens = List.of(after.encode(text).getTokens());
                assertFalse(tokens.contains("[UNK]"), text + " -> " + tokens);
            }
            long[] ids = after.encode("red apple").getIds();
            assertEquals("[CLS]", small.json().path("model").path("vocab").properties().stream()
                    .filter(e -> e.getValue().asLong() == ids[0]).findFirst().orElseThrow().getKey());
            assertEquals(0, small.json().path("model").path("vocab").path("[PAD]").asInt());
        }
        try (StudentTokenizer student = StudentTokenizer.load(file.toString(), 32)) {
            assertEquals("[SEP]", student.tokenTexts()[(int) student.endTokenId()]);
            assertEquals(small.vocabularySize(), student.vocabularySize());
        }
    }
}
