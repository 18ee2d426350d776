package dev.kclip.formats.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled test tokenizer is word level (a=3, red=4, apple=5, pear=6, unknown words <unk>=0), its post-processor
 * wraps a caption in <s>=1 ... </s>=2, and the file itself asks for truncation to 2 tokens, which the explicit
 * options override.
 */
class TokenizerJsonTest {

    private static final String RESOURCE = "/word-level-tokenizer.json";

    @Test
    void theOptionsDecideSpecialTokensAndTruncationNotTheFilesOwnSettings() {
        TokenizerJson json = TokenizerJson.resource(RESOURCE);
        try (HuggingFaceTokenizer tokenizer = json.open(TokenizerOptions.defaults())) {
            assertArrayEquals(new long[] {1, 3, 4, 5, 2}, tokenizer.encode("a red apple").getIds());
            assertArrayEquals(new long[] {1, 3, 0, 2}, tokenizer.encode("a plum").getIds(), "unknown words are <unk>");
        }
        try (HuggingFaceTokenizer tokenizer = json.open(TokenizerOptions.defaults().withSpecialTokens(false))) {
            assertArrayEquals(new long[] {3, 4, 5}, tokenizer.encode("a red apple").getIds());
        }
        try (HuggingFaceTokenizer tokenizer = json.open(TokenizerOptions.defaults().truncatedTo(4))) {
            Encoding cut = tokenizer.encode("a red apple pear");
            assertArrayEquals(new long[] {1, 3, 4, 2}, cut.getIds(), "cut to 4 with the special tokens kept");
            assertTrue(cut.exceedMaxLength());
            assertFalse(tokenizer.encode("a pear").exceedMaxLength());
        }
    }

    @Test
    void aLengthBeyond512IsKeptRatherThanCappedAtDjlsDefault() {
        String caption = String.join(" ", java.util.Collections.nCopies(700, "red"));
        try (HuggingFaceTokenizer tokenizer = TokenizerJson.resource(RESOURCE)
                .open(TokenizerOptions.defaults().withSpecialTokens(false).truncatedTo(600))) {
            assertEquals(600, tokenizer.encode(caption).getIds().length);
        }
    }

    @Test
    void paddingPadsABatchToItsLongestCaption() {
        try (HuggingFaceTokenizer tokenizer = TokenizerJson.resource(RESOURCE)
                .open(TokenizerOptions.defaults().withSpecialTokens(false).withPadding(true))) {
            Encoding[] batch = tokenizer.batchEncode(List.of("a red apple", "pear"));
            assertEquals(3, batch[1].getIds().length);
            assertArrayEquals(new long[] {1, 0, 0}, batch[1].getAttentionMask());
        }
        try (HuggingFaceTokenizer tokenizer = TokenizerJson.resource(RESOURCE)
                .open(TokenizerOptions.defaults().withSpecialTokens(false))) {
            assertEquals(1, tokenizer.batchEncode(List.of("a red apple", "pear"))[1].getIds().length);
        }
    }

    @Test
    void aFileAndAClasspathSpecReadTheSameDefinition(@TempDir Path dir) throws Exception {
        TokenizerJson fromClasspath = TokenizerJson.read(TokenizerJson.CLASSPATH + RESOURCE);
        assertEquals("classpath:" + RESOURCE, fromClasspath.source());
        Path file = Files.write(dir.resolve(TokenizerJson.FILE_NAME), fromClasspath.bytes());
        TokenizerJson fromFile = TokenizerJson.read(file.toString());
        assertEquals(file.toString(), fromFile.source());
        assertArrayEquals(fromClasspath.bytes(), fromFile.bytes());
        assertEquals(2, fromFile.json().path("truncation").path("max_length").asInt());
        assertEquals(7, fromFile.vocabularySize());
        try (HuggingFaceTokenizer tokenizer = fromFile.open(TokenizerOptions.defaults())) {
            assertArrayEquals(new long[] {1, 6, 2}, tokenizer.encode("pear").getIds());
        }
    }

    @Test
    void addedTokensBeyondTheModelsVocabularyCount(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("t.json"),
                "{\"model\": {\"vocab\": {\"a\": 0, \"b\": 1}}, \"added_tokens\": [{\"id\": 5, \"content\": \"<x>\"}]}");
        assertEquals(6, TokenizerJson.read(file).vocabularySize());
    }

    @Test
    void aMissingFileOrResourceIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("tokenizer.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenizerJson.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TokenizerJson.read("classpath:/no-such-tokenizer.json"));
        assertTrue(e.getMessage().contains("/no-such-tokenizer.json") && e.getMessage().contains("not on the classpath"),
                e.getMessage());
    }

    @Test
    void anUnreadableFileIsNamed(@TempDir Path dir) {
        // a directory where the file should be: it exists, but reading it fails
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenizerJson.read(dir));
        assertTrue(e.getMessage().startsWith("cannot read tokenizer file " + dir), e.getMessage());
    }

    @Test
    void aFileThatIsNotATokenizerIsRefusedWhenOpened(@TempDir Path dir) throws Exception {
        Path notJson = Files.writeString(dir.resolve("notes.json"), "these are notes");
        TokenizerJson json = TokenizerJson.read(notJson);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.open(TokenizerOptions.defaults()));
        assertTrue(e.getMessage().startsWith(notJson + " is not a valid tokenizer.json"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, json::json);
        assertTrue(e.getMessage().startsWith(notJson + " is not a valid tokenizer.json"), e.getMessage());

        Path otherJson = Files.writeString(dir.resolve("other.json"), "{\"model\": {\"type\": \"NoSuchModel\"}}");
        e = assertThrows(IllegalArgumentException.class, () -> TokenizerJson.read(otherJson).open(TokenizerOptions.defaults()));
        assertTrue(e.getMessage().startsWith(otherJson + " is not a valid tokenizer.json"), e.getMessage());
    }

    @Test
    void aLengthOfZeroOrLessIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TokenizerOptions.defaults().truncatedTo(0));
        assertThrows(IllegalArgumentException.class, () -> new TokenizerOptions(true, false, -1));
    }
}
