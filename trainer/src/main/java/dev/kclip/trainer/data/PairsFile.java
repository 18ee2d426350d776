package dev.kclip.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.schemas.PairIds;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an image-caption dataset in JSON Lines: one object a line with {@code image} (a path relative to the file)
 * and {@code caption}, plus any string fields, one of which can serve as the label (e.g. emoji-64's
 * {@code category}). Ids are content hashes, as ingest gives them.
 */
public final class PairsFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One line of the file, image bytes loaded. */
    public record Pair(String id, String caption, byte[] image, String label) {
    }

    private PairsFile() {
    }

    /**
     * @param labelField the field holding the label, or null for none
     * @throws IllegalArgumentException naming the line when the file or a line is not valid
     */
    public static List<Pair> read(Path jsonl, String labelField) {
        List<Pair> pairs = new ArrayList<>();
        Path dir = jsonl.toAbsolutePath().getParent();
        try (BufferedReader reader = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                String image = node.path("image").asText(null);
                String caption = node.path("caption").asText(null);
                if (image == null || caption == null) {
                    throw new IllegalArgumentException(jsonl + " line " + number + " lacks \"image\" or \"caption\"");
                }
                String label = null;
                if (labelField != null) {
                    if (!node.has(labelField)) {
                        throw new IllegalArgumentException(jsonl + " line " + number + " has no field \"" + labelField + "\"");
                    }
                    label = node.get(labelField).asText();
                }
                byte[] bytes = Files.readAllBytes(dir.resolve(image));
                pairs.add(new Pair(PairIds.contentHash(bytes, caption), caption, bytes, label));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read dataset " + jsonl + ": " + e.getMessage(), e);
        }
        return pairs;
    }
}
