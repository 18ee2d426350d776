package dev.kclip.teacher.llama;

/** Turns a caption into the ids a Llama teacher reads, special tokens (BOS) included, not yet truncated. */
public interface LlamaTokenizer extends AutoCloseable {

    /** The caption's ids, with the special tokens the model expects around them. */
    long[] encode(String caption);

    /** How many of {@link #encode}'s ids are special tokens rather than the caption's own. */
    int specialTokens();

    /** True when {@link #encode} puts BOS first (the Llama tokenizers do unless configured otherwise). */
    boolean prependsBos();

    /** Short description for logs and {@code --help} output, e.g. {@code tokenizer.json}. */
    String describe();

    @Override
    void close();
}
