package dev.kclip.datasets.read;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CUB-200-2011 (Caltech-UCSD Birds): {@code images.txt} ({@code <id> <path>} under {@code images/}),
 * {@code classes.txt}, {@code image_class_labels.txt}, and when present {@code train_test_split.txt} and the
 * attribute annotations ({@code attributes/image_attribute_labels.txt} with names from {@code attributes.txt},
 * looked for in the root, in {@code attributes/} and next to the root). Each image gives one pair: label = the
 * class, caption from the template, attributes = the present attributes grouped by kind
 * ({@code has_bill_shape → dagger,needle}), the class id and the split.
 */
public final class CubReader implements DatasetReader {

    private final ReaderOptions options;

    public CubReader(ReaderOptions options) {
        this.options = options;
    }

    @Override
    public Dataset read(Path root) {
        TextFiles.requireDirectory(root, "CUB-200-2011 folder");
        Map<String, String> classNames = idColumns(root.resolve("classes.txt"));
        Map<String, String> imageClasses = idColumns(root.resolve("image_class_labels.txt"));
        Map<String, String> splits = Files.isRegularFile(root.resolve("train_test_split.txt"))
                ? idColumns(root.resolve("train_test_split.txt")) : Map.of();
        Map<String, Map<String, List<String>>> attributes = attributes(root);
        List<String> lines = TextFiles.lines(root.resolve("images.txt"));
        List<PairEntry> entries = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String location = "images.txt line " + (i + 1);
            String[] columns = line.split("\\s+", 2);
            if (columns.length < 2) {
                skipped.add(new Skipped(location, SkipReason.MALFORMED_LINE, "expected <image id> <path>"));
                continue;
            }
            String imageId = columns[0];
            String className = classNames.get(imageClasses.get(imageId));
            if (className == null) {
                skipped.add(new Skipped(location, SkipReason.MISSING_FIELD, "image " + imageId + " has no class"));
                continue;
            }
            Path image = root.resolve("images").resolve(columns[1]);
            Skipped refused = ImageLocations.refusal(root, image, options, location);
            if (refused != null) {
                skipped.add(refused);
                continue;
            }
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("class_id", imageClasses.get(imageId));
            if (splits.containsKey(imageId)) {
                attrs.put("split", "1".equals(splits.get(imageId)) ? "train" : "test");
            }
            attributes.getOrDefault(imageId, Map.of()).forEach((kind, values) -> attrs.put(kind, String.join(",", values)));
            entries.add(new PairEntry(image, ClassNames.caption(options.captionTemplate(), className),
                    ClassNames.display(className), attrs, location));
        }
        return new Dataset(options.nameOr("cub-200-2011"), entries, skipped);
    }

    /** {@code <id> <rest>} lines as a map. */
    private static Map<String, String> idColumns(Path file) {
        Map<String, String> map = new HashMap<>();
        for (String line : TextFiles.lines(file)) {
            String[] columns = line.strip().split("\\s+", 2);
            if (columns.length == 2) {
                map.put(columns[0], columns[1].strip());
            }
        }
        return map;
    }

    /** Image id → attribute kind → present values, or empty when the dataset has no attribute files. */
    private static Map<String, Map<String, List<String>>> attributes(Path root) {
        Path labels = root.resolve("attributes").resolve("image_attribute_labels.txt");
        Path names = firstExisting(root.resolve("attributes.txt"), root.resolve("attributes").resolve("attributes.txt"),
                root.toAbsolutePath().getParent() == null ? null : root.toAbsolutePath().getParent().resolve("attributes.txt"));
        if (!Files.isRegularFile(labels) || names == null) {
            return Map.of();
        }
        Map<String, String> attributeNames = idColumns(names);
        Map<String, Map<String, List<String>>> byImage = new HashMap<>();
        for (String line : TextFiles.lines(labels)) {
            // <image id> <attribute id> <is present> <certainty id> <time>; some lines of the original carry an extra column
            String[] columns = line.strip().split("\\s+");
            if (columns.length < 3 || !"1".equals(columns[2])) {
                continue;
            }
            String name = attributeNames.get(columns[1]);
            if (name == null) {
                continue;
            }
            int separator = name.indexOf("::");
            String kind = separator < 0 ? name : name.substring(0, separator);
            String value = separator < 0 ? "true" : name.substring(separator + 2);
            byImage.computeIfAbsent(columns[0], id -> new TreeMap<>()).computeIfAbsent(kind, k -> new ArrayList<>()).add(value);
        }
        return byImage;
    }

    private static Path firstExisting(Path... candidates) {
        for (Path candidate : candidates) {
            if (candidate != null && Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
