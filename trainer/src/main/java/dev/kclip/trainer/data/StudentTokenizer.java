package dev.kclip.trainer.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kclip.formats.tokenizer.TokenizerJson;
import dev.kclip.formats.tokenizer.TokenizerOptions;
import java.util.Arrays;
import java.util.List;

/**
 * The student's tokenizer: a Hugging Face {@code tokenizer.json} (by default the MiniLM one bundled in the
 * langchain4j jar: BERT uncased WordPiece, {@code [CLS] ... [SEP]}; with {@code --init}, the pretrained CLIP's own
 * byte-level BPE, lower-cased, {@code <|startoftext|> ... <|endoftext|>}), truncated to the context length (the
 * model's text positions, 77 for CLIP) with the special tokens kept. Padding and truncation settings inside the file
 * are replaced by these. Captions of a batch are padded with 0 after their end token; a caption's length runs to its
 * first end token, the position the text encoder pools at (as transformers' CLIPTextTransformer does).
 */
public final class StudentTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerJson definition;
    private final int contextLength;
    private final int vocabularySize;
    private final long endTokenId;

    /** Token ids of a batch, padded: {@code ids} is {@code [batch, length]} row-major. */
    public record Tokens(long[] ids, long[] lengths, int length) {
        public int batch() {
            return lengths.length;
        }
    }

    /**
     * The text of every token id (WordPiece continuations without their {@code ##}), for embedding the vocabulary
     * with a teacher; ids the tokenizer does not define are empty strings.
     */
    public String[] tokenTexts() {
        String[] texts = new String[vocabularySize];
        Arrays.fill(texts, "");
        JsonNode root = definition.json();
        root.path("model").path("vocab").fields().forEachRemaining(e -> {
            int id = e.getValue().asInt();
            if (id >= 0 && id < texts.length) {
                String token = e.getKey();
                texts[id] = token.startsWith("##") ? token.substring(2) : token;
            }
        });
        for (JsonNode added : root.path("added_tokens")) {
            texts[added.path("id").asInt()] = added.path("content").asText();
        }
        return texts;
    }

    private StudentTokenizer(HuggingFaceTokenizer tokenizer, TokenizerJson definition, int contextLength,
            int vocabularySize) {
        this.tokenizer = tokenizer;
        this.definition = definition;
        this.contextLength = contextLength;
        this.vocabularySize = vocabularySize;
        long[] empty = tokenizer.encode("").getIds();
        this.endTokenId = empty[empty.length - 1];
    }

    /**
     * Loads {@code spec}: {@code classpath:/resource.json} or a file path.
     *
     * @throws IllegalArgumentException when it cannot be found or read
     */
    public static StudentTokenizer load(String spec, int contextLength) {
        TokenizerJson definition = TokenizerJson.read(spec);
        int vocabularySize = definition.vocabularySize();
        HuggingFaceTokenizer tokenizer = definition.open(TokenizerOptions.defaults().truncatedTo(contextLength));
        return new StudentTokenizer(tokenizer, definition, contextLength, vocabularySize);
    }

    /** Ids of every token the tokenizer can produce: the model's vocabulary plus added tokens. */
    public int vocabularySize() {
        return vocabularySize;
    }

    public int contextLength() {
        return contextLength;
    }

    /** The raw {@code tokenizer.json}, for exports. */
    public byte[] definition() {
        return definition.bytes();
    }

    /** The id of the token that ends every caption (what CLIP pools at): {@code [SEP]} for BERT vocabularies. */
    public long endTokenId() {
        return endTokenId;
    }

    /** The id of the token that starts every caption, {@code [CLS]} for BERT vocabularies. */
    public long startTokenId() {
        return tokenizer.encode("").getIds()[0];
    }

    /** Tokenises a batch; each row is the caption's ids followed by 0s up to the longest row. */
    public Tokens encode(List<String> captions) {
        Encoding[] encodings = tokenizer.batchEncode(captions);
        int length = 1;
        for (Encoding e : encodings) {
            length = Math.max(length, e.getIds().length);
        }
        long[] ids = new long[captions.size() * length];
        long[] lengths = new long[captions.size()];
        for (int b = 0; b < encodings.length; b++) {
            long[] row = encodings[b].getIds();
            System.arraycopy(row, 0, ids, b * length, row.length);
            lengths[b] = endPosition(row, endTokenId) + 1;
        }
        return new Tokens(ids, lengths, length);
    }

    /** Index of the first {@code endToken} in {@code row}, or its last index when there is none. */
    public static int endPosition(long[] row, long endToken) {
        for (int i = 0; i < row.length; i++) {
            if (row[i] == endToken) {
                return i;
            }
        }
        return row.length - 1;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
