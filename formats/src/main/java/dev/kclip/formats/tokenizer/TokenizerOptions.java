package dev.kclip.formats.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a {@code tokenizer.json} encodes, stated in full rather than left to DJL's defaults or to whatever
 * truncation and padding the file itself configures.
 *
 * @param specialTokens whether {@code encode(text)} adds the file's special tokens (its post-processor: {@code [CLS]
 *     ... [SEP]}, {@code <s>}, ...)
 * @param padding whether a batch is padded to its longest sequence
 * @param maxLength tokens a sequence is cut to, special tokens included; {@link #NO_TRUNCATION} keeps every token.
 *     An encoding that was cut says so ({@code Encoding.exceedMaxLength()}).
 */
public record TokenizerOptions(boolean specialTokens, boolean padding, int maxLength) {

    /** {@link #maxLength} that switches truncation off. */
    public static final int NO_TRUNCATION = 0;

    /** Checks the length. */
    public TokenizerOptions {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must be positive (or NO_TRUNCATION), not " + maxLength);
        }
    }

    /** Special tokens added, no padding, no truncation. */
    public static TokenizerOptions defaults() {
        return new TokenizerOptions(true, false, NO_TRUNCATION);
    }

    /** These options with special tokens added or not. */
    public TokenizerOptions withSpecialTokens(boolean add) {
        return new TokenizerOptions(add, padding, maxLength);
    }

    /** These options with batches padded to their longest sequence or not. */
    public TokenizerOptions withPadding(boolean pad) {
        return new TokenizerOptions(specialTokens, pad, maxLength);
    }

    /** These options with sequences cut to {@code tokens}. */
    public TokenizerOptions truncatedTo(int tokens) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("a sequence is cut to at least one token, not " + tokens);
        }
        return new TokenizerOptions(specialTokens, padding, tokens);
    }

    /** Whether sequences are cut to {@link #maxLength}. */
    public boolean truncates() {
        return maxLength != NO_TRUNCATION;
    }

    /** The options as DJL's {@code HuggingFaceTokenizer.newInstance} arguments. */
    Map<String, String> arguments() {
        Map<String, String> arguments = new LinkedHashMap<>();
        arguments.put("addSpecialTokens", Boolean.toString(specialTokens));
        arguments.put("padding", Boolean.toString(padding));
        arguments.put("truncation", Boolean.toString(truncates()));
        if (truncates()) {
            arguments.put("maxLength", Integer.toString(maxLength));
            // DJL otherwise caps maxLength at its own modelMaxLength (512), with only a warning
            arguments.put("modelMaxLength", Integer.toString(maxLength));
        }
        return arguments;
    }
}
