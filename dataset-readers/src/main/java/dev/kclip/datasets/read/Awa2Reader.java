package dev.kclip.datasets.read;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Animals with Attributes 2: {@code classes.txt} and {@code predicates.txt} ({@code <index><TAB><name>}),
 * {@code predicate-matrix-binary.txt} (one row of 0/1 per class, one column per predicate) and
 * {@code JPEGImages/<class>/<image>}. Each image gives one pair: label = the class, caption from the template,
 * attribute {@code predicates} = the class's predicates, comma-separated.
 */
public final class Awa2Reader implements DatasetReader {

    private final ReaderOptions options;

    public Awa2Reader(ReaderOptions options) {
        this.options = options;
    }

    @Override
    public Dataset read(Path root) {
        TextFiles.requireDirectory(root, "AWA2 folder");
        List<String> classes = names(root.resolve("classes.txt"));
        List<String> predicates = names(root.resolve("predicates.txt"));
        List<String> matrix = TextFiles.lines(root.resolve("predicate-matrix-binary.txt")).stream()
                .filter(line -> !line.isBlank()).toList();
        if (matrix.size() != classes.size()) {
            throw new IllegalArgumentException("predicate-matrix-binary.txt has " + matrix.size() + " rows but classes.txt lists "
                    + classes.size() + " classes");
        }
        Path images = root.resolve("JPEGImages");
        TextFiles.requireDirectory(images, "AWA2 image folder");
        List<PairEntry> entries = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            String className = classes.get(c);
            String[] flags = matrix.get(c).strip().split("\\s+");
            if (flags.length != predicates.size()) {
                throw new IllegalArgumentException("predicate-matrix-binary.txt row " + (c + 1) + " has " + flags.length
                        + " columns but predicates.txt lists " + predicates.size());
            }
            List<String> present = new ArrayList<>();
            for (int p = 0; p < flags.length; p++) {
                if ("1".equals(flags[p])) {
                    present.add(predicates.get(p));
                }
            }
            Path folder = images.resolve(className);
            if (!Files.isDirectory(folder)) {
                skipped.add(new Skipped("classes.txt line " + (c + 1), SkipReason.IMAGE_NOT_FOUND,
                        "no image folder for class " + className + ": " + folder));
                continue;
            }
            Map<String, String> attributes = Map.of("predicates", String.join(",", present));
            String caption = ClassNames.caption(options.captionTemplate(), className);
            for (Path image : ImageFiles.in(folder)) {
                String location = "JPEGImages/" + className + "/" + image.getFileName();
                Skipped refused = ImageLocations.refusal(root, image, options, location);
                if (refused != null) {
                    skipped.add(refused);
                    continue;
                }
                entries.add(new PairEntry(image, caption, ClassNames.display(className), attributes, location));
            }
        }
        return new Dataset(options.nameOr("awa2"), entries, skipped);
    }

    /** Second column of {@code <index><TAB><name>} lines, in file order. */
    private static List<String> names(Path file) {
        List<String> names = new ArrayList<>();
        for (String line : TextFiles.lines(file)) {
            String[] columns = line.strip().split("\\s+", 2);
            if (columns.length == 2) {
                names.add(columns[1].strip());
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(file + " lists nothing (expected <index><TAB><name> lines)");
        }
        return names;
    }
}
