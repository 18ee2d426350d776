package dev.kclip.trainer.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.formats.tokenizer.TokenizerJson;
import dev.kclip.formats.tokenizer.TokenizerOptions;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A WordPiece {@code tokenizer.json} cut down to the tokens a corpus uses, so the student's token table (most of a
 * small student's weights with BERT's 30,522 tokens) holds only rows that are trained. Kept: every token the full
 * tokenizer produces for the given texts, every special token, and every single-character token with its
 * {@code ##} continuation, so any word of characters the full vocabulary knows still tokenizes (into pieces)
 * instead of becoming {@code [UNK]}. The kept tokens keep their order and are numbered from 0; special-token ids
 * in the post-processor, the added tokens and the padding follow.
 *
 * <p>The texts tokenize to the same token strings as before: WordPiece takes the longest vocabulary entry at each
 * position, and that entry is kept while no longer one can appear (the trimmed vocabulary is a subset).
 */
public final class VocabularyTrim {

    private VocabularyTrim() {
    }

    /**
     * The trimmed definition of {@code full} for {@code texts}.
     *
     * @throws IllegalArgumentException when {@code full} is not a WordPiece tokenizer
     */
    public static ObjectNode trim(TokenizerJson full, Collection<String> texts) {
        JsonNode root = full.json();
        JsonNode model = root.path("model");
        if (!model.path("type").asText().equals("WordPiece")) {
            throw new IllegalArgumentException(full.source() + " is a " + model.path("type").asText()
                    + " tokenizer; only WordPiece vocabularies are trimmed");
        }
        String prefix = model.path("continuing_subword_prefix").asText("##");
        Set<String> kept = new HashSet<>();
        try (HuggingFaceTokenizer tokenizer = full.open(TokenizerOptions.defaults())) {
            List<String> list = List.copyOf(texts);
            for (int from = 0; from < list.size(); from += 256) {
                for (Encoding e : tokenizer.batchEncode(list.subList(from, Math.min(list.size(), from + 256)))) {
                    kept.addAll(List.of(e.getTokens()));
                }
            }
        }
        kept.add(model.path("unk_token").asText("[UNK]"));
        for (JsonNode added : root.path("added_tokens")) {
            kept.add(added.path("content").asText());
        }
        Map<Integer, String> byId = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String token = entry.getKey();
            String piece = token.startsWith(prefix) && token.length() > prefix.length() ? token.substring(prefix.length()) : token;
            if (kept.contains(token) || piece.codePointCount(0, piece.length()) == 1) {
                byId.put(entry.getValue().asInt(), token);
            }
        }
        Map<String, Integer> newIds = new HashMap<>();
        ObjectNode vocab = JsonNodeFactory.instance.objectNode();
        for (String token : byId.values()) {
            newIds.put(token, newIds.size());
            vocab.put(token, newIds.get(token));
        }
        ObjectNode trimmed = root.deepCopy();
        ((ObjectNode) trimmed.get("model")).set("vocab", vocab);
        for (JsonNode added : trimmed.path("added_tokens")) {
            ((ObjectNode) added).put("id", id(newIds, added.path("content").asText()));
        }
        JsonNode special = trimmed.path("post_processor").path("special_tokens");
        for (JsonNode token : special) {
            ArrayNode ids = ((ObjectNode) token).putArray("ids");
            for (JsonNode text : token.path("tokens")) {
                ids.add(id(newIds, text.asText()));
            }
        }
        if (trimmed.path("padding").isObject() && trimmed.path("padding").has("pad_token")) {
            ObjectNode padding = (ObjectNode) trimmed.get("padding");
            padding.put("pad_id", id(newIds, padding.get("pad_token").asText()));
        }
        return trimmed;
    }

    private static int id(Map<String, Integer> ids, String token) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException("special token " + token + " is not in the vocabulary");
        }
        return id;
    }
}
