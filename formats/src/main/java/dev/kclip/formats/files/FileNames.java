package dev.kclip.formats.files;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Names that a model or checkpoint directory's own files (an index's shards, a manifest's files) may carry: a plain
 * file name inside that directory, so that a downloaded or tampered listing can never make a loader open anything
 * outside it.
 */
public final class FileNames {

    /** Windows device names, refused with any extension ({@code nul.json}) wherever the files may travel. */
    private static final Set<String> DEVICES = Set.of("con", "prn", "aux", "nul", "com1", "com2", "com3", "com4",
            "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9");

    private FileNames() {
    }

    /**
     * Whether {@code name} is one plain file name: not empty, not {@code .} or {@code ..}, no {@code /} or
     * {@code \}, no NUL or other control character, not absolute, not a device name. Whether the file it names is
     * a regular file (no link, no device node, no pipe) is for the caller to check where it opens it.
     */
    public static boolean isPlain(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0 || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return false;
        }
        int dot = name.indexOf('.');
        if (DEVICES.contains((dot < 0 ? name : name.substring(0, dot)).toLowerCase(Locale.ROOT))) {
            return false;
        }
        Path path = Path.of(name);
        return !path.isAbsolute() && path.getNameCount() == 1 && path.getFileName().toString().equals(name);
    }
}
