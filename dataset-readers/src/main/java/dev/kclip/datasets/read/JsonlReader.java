package dev.kclip.datasets.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON Lines, one pair per line: {@code image} (a path relative to the file; absolute paths and paths leaving the
 * file's folder only with {@link ReaderOptions#allowOutsideRoot()}), {@code caption}, an
 * optional label field, and any other fields kept as attributes (strings as they are, numbers and booleans as
 * text, arrays of those joined with commas; nested objects are left out). The layout of
 * {@code datasets/emoji-64/pairs.jsonl}.
 */
public final class JsonlReader implements DatasetReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReaderOptions options;

    public JsonlReader(ReaderOptions options) {
        this.options = options;
    }

    /** A reader with the default options (label field {@code label}). */
    public JsonlReader() {
        this(ReaderOptions.DEFAULTS);
    }

    @Override
    public Dataset read(Path file) {
        List<String> lines = TextFiles.lines(file);
        Path base = file.toAbsolutePath().getParent();
        String fileName = file.getFileName().toString();
        List<PairEntry> entries = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String location = fileName + " line " + (i + 1);
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                skipped.add(new Skipped(location, SkipReason.MALFORMED_LINE, "malformed JSON (" + e.getOriginalMessage() + ")"));
                continue;
            }
            if (node == null || !node.isObject()) {
                skipped.add(new Skipped(location, SkipReason.MALFORMED_LINE, "not a JSON object"));
                continue;
            }
            JsonNode image = node.get("image");
            JsonNode caption = node.get("caption");
            if (image == null || !image.isTextual() || image.asText().isBlank()) {
                skipped.add(new Skipped(location, SkipReason.MISSING_FIELD, "no \"image\" path"));
                continue;
            }
            if (caption == null || !caption.isTextual()) {
                skipped.add(new Skipped(location, SkipReason.MISSING_FIELD, "no \"caption\" text"));
                continue;
            }
            Path imagePath = base.resolve(image.asText());
            Skipped refused = ImageLocations.refusal(base, imagePath, options, location);
            if (refused != null) {
                skipped.add(refused);
                continue;
            }
            JsonNode label = node.get(options.labelField());
            entries.add(new PairEntry(imagePath, caption.asText(),
                    label != null && label.isValueNode() && !label.isNull() ? label.asText() : null,
                    attributes(node), location));
        }
        return new Dataset(options.nameOr(ClassNames.folderName(file)), entries, skipped);
    }

    private Map<String, String> attributes(JsonNode node) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = field.getKey();
            if (name.equals("image") || name.equals("caption") || name.equals(options.labelField())) {
                continue;
            }
            String value = text(field.getValue());
            if (value != null) {
                attributes.put(name, value);
            }
        }
        return attributes;
    }

    private static String text(JsonNode value) {
        if (value.isValueNode() && !value.isNull()) {
            return value.asText();
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : value) {
                if (!item.isValueNode() || item.isNull()) {
                    return null;
                }
                items.add(item.asText());
            }
            return String.join(",", items);
        }
        return null;
    }
}
