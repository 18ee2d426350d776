package dev.kclip.common.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The live page's JSON: one mapper; a non-finite number is written as null. */
final class JsonNodes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonNodes() {
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static void number(ObjectNode object, String field, double value) {
        if (Double.isFinite(value)) {
            object.put(field, value);
        } else {
            object.putNull(field);
        }
    }
}
