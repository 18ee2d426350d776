package dev.kclip.formats.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A Hugging Face {@code tokenizer.json}, read into memory from a file or a classpath resource, and opened as DJL's
 * {@link HuggingFaceTokenizer} (the Rust tokenizers library: BPE, byte-level BPE, WordPiece, Unigram, word level)
 * with explicit {@link TokenizerOptions}. Every failure is an {@link IllegalArgumentException} naming the source:
 * a missing file or resource, one that cannot be read, or one that is not a tokenizer definition.
 */
public final class TokenizerJson {

    /** The file name Hugging Face model directories use. */
    public static final String FILE_NAME = "tokenizer.json";
    /** Prefix of a {@link #read(String)} spec that names a classpath resource. */
    public static final String CLASSPATH = "classpath:";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final byte[] bytes;

    private TokenizerJson(String source, byte[] bytes) {
        this.source = source;
        this.bytes = bytes;
    }

    /** Reads {@code file}. */
    public static TokenizerJson read(Path file) {
        try {
            return new TokenizerJson(file.toString(), Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("tokenizer file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read tokenizer file " + file + ": " + e, e);
        }
    }

    /** Reads the classpath resource {@code name} ({@code /a/b.json} or {@code a/b.json}, from the classpath root). */
    public static TokenizerJson resource(String name) {
        String path = name.startsWith("/") ? name.substring(1) : name;
        try (InputStream in = TokenizerJson.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("tokenizer resource " + name + " is not on the classpath");
            }
            return new TokenizerJson(CLASSPATH + name, in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read tokenizer resource " + name + ": " + e, e);
        }
    }

    /** Reads {@code spec}: {@code classpath:/resource.json} ({@link #resource}) or a file path ({@link #read(Path)}). */
    public static TokenizerJson read(String spec) {
        return spec.startsWith(CLASSPATH) ? resource(spec.substring(CLASSPATH.length())) : read(Path.of(spec));
    }

    /** Where the definition came from: the file path, or {@code classpath:} and the resource name. */
    public String source() {
        return source;
    }

    /** The file's bytes, unchanged (e.g. to ship it beside an exported model). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The parsed JSON, for settings DJL does not expose (its vocabulary, its own truncation length, ...). */
    public JsonNode json() {
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException(source + " is not a valid " + FILE_NAME + " (not a JSON object)");
            }
            return root;
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not a valid " + FILE_NAME + ": " + e.getMessage(), e);
        }
    }

    /** Ids of every token the tokenizer can produce: its model's vocabulary plus its added tokens. */
    public int vocabularySize() {
        JsonNode root = json();
        int size = root.path("model").path("vocab").size();
        for (JsonNode added : root.path("added_tokens")) {
            size = Math.max(size, added.path("id").asInt() + 1);
        }
        return size;
    }

    /**
     * A new tokenizer of this definition that encodes with {@code options}; the caller closes it.
     *
     * @throws IllegalArgumentException when the bytes are not a tokenizer definition the library accepts
     */
    public HuggingFaceTokenizer open(TokenizerOptions options) {
        try {
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes), options.arguments());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(source + " is not a valid " + FILE_NAME + ": " + e.getMessage(), e);
        }
    }
}
