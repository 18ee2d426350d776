package dev.kclip.datasets.read;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** Class names as datasets spell them ({@code 001.Black_footed_Albatross}, {@code grizzly+bear}) made readable. */
final class ClassNames {

    private static final Pattern NUMBER_PREFIX = Pattern.compile("^\\d+\\.");
    private static final Pattern SEPARATORS = Pattern.compile("[_+\\s]+");

    private ClassNames() {
    }

    /** {@code 001.Black_footed_Albatross} → {@code Black footed Albatross}; {@code grizzly+bear} → {@code grizzly bear}. */
    static String display(String raw) {
        return SEPARATORS.matcher(NUMBER_PREFIX.matcher(raw.strip()).replaceFirst("")).replaceAll(" ").strip();
    }

    /** The template with {@code {class}} replaced by the readable class name. */
    static String caption(String template, String rawClass) {
        return template.replace("{class}", display(rawClass));
    }

    /** The name of the folder holding {@code path} (a dataset's default name). */
    static String folderName(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path folder = absolute.getParent() == null ? absolute : absolute.getParent();
        return folder.getFileName() == null ? "dataset" : folder.getFileName().toString();
    }
}
