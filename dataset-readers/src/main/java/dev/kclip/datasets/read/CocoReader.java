package dev.kclip.datasets.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * COCO captions JSON ({@code images} with {@code id} and {@code file_name}, {@code annotations} with
 * {@code image_id} and {@code caption}): one pair per annotation, so an image with five captions gives five
 * pairs. Images are looked up under the image root; by default the JSON's folder and, for the usual layout
 * {@code annotations/captions_val2017.json}, the sibling folder {@code val2017/}.
 */
public final class CocoReader implements DatasetReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReaderOptions options;

    public CocoReader(ReaderOptions options) {
        this.options = options;
    }

    @Override
    public Dataset read(Path file) {
        TextFiles.requireFile(file, "COCO captions file");
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read COCO captions file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.path("images").isArray() || !root.path("annotations").isArray()) {
            throw new IllegalArgumentException(file + " is not a COCO captions file: it needs \"images\" and "
                    + "\"annotations\" arrays");
        }
        List<Path> roots = imageRoots(file);
        Map<Long, String> fileNames = new HashMap<>();
        for (JsonNode image : root.get("images")) {
            if (image.path("id").canConvertToLong() && image.path("file_name").isTextual()) {
                fileNames.put(image.get("id").asLong(), image.get("file_name").asText());
            }
        }
        String fileName = file.getFileName().toString();
        List<PairEntry> entries = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        int index = 0;
        for (JsonNode annotation : root.get("annotations")) {
            index++;
            String annotationId = annotation.path("id").asText(Integer.toString(index));
            String location = fileName + " annotation " + annotationId;
            if (!annotation.path("caption").isTextual() || !annotation.path("image_id").canConvertToLong()) {
                skipped.add(new Skipped(location, SkipReason.MISSING_FIELD, "no \"caption\" or \"image_id\""));
                continue;
            }
            long imageId = annotation.get("image_id").asLong();
            String name = fileNames.get(imageId);
            if (name == null) {
                skipped.add(new Skipped(location, SkipReason.MISSING_FIELD, "image id " + imageId + " is not in \"images\""));
                continue;
            }
            Path imageRoot = find(roots, name);
            if (imageRoot == null) {
                skipped.add(new Skipped(location, SkipReason.IMAGE_NOT_FOUND, "image not found: " + name + " under " + roots));
                continue;
            }
            Path image = imageRoot.resolve(name);
            Skipped refused = ImageLocations.refusal(imageRoot, image, options, location);
            if (refused != null) {
                skipped.add(refused);
                continue;
            }
            entries.add(new PairEntry(image, annotation.get("caption").asText(), null,
                    Map.of("coco_image_id", Long.toString(imageId), "coco_annotation_id", annotationId), location));
        }
        String split = split(file);
        return new Dataset(options.nameOr(split == null ? "coco" : "coco-" + split), entries, skipped);
    }

    private List<Path> imageRoots(Path file) {
        if (options.imageRoot() != null) {
            return List.of(options.imageRoot());
        }
        Path folder = file.toAbsolutePath().getParent();
        List<Path> roots = new ArrayList<>(List.of(folder));
        String split = split(file);
        if (split != null && folder.getParent() != null) {
            roots.add(folder.getParent().resolve(split));
        }
        return roots;
    }

    /** {@code captions_val2017.json} → {@code val2017}. */
    private static String split(Path file) {
        String name = file.getFileName().toString();
        if (name.startsWith("captions_") && name.endsWith(".json")) {
            return name.substring("captions_".length(), name.length() - ".json".length());
        }
        return null;
    }

    /** The first root holding {@code name}, or null. */
    private static Path find(List<Path> roots, String name) {
        for (Path root : roots) {
            if (Files.isRegularFile(root.resolve(name))) {
                return root;
            }
        }
        return null;
    }
}
