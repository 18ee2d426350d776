package dev.kclip.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.PairIds;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Renders any of our records as JSON with the schema's field names, for people looking into a topic. Bytes are
 * summarised: vectors as their dimension and first values, anything else (images, dead-lettered originals) as
 * size and SHA-256. Timestamps are ISO-8601.
 */
public final class RecordJson {

    /** Bytes fields that hold float32 vectors. */
    private static final Set<String> VECTOR_FIELDS = Set.of("embedding", "softLabel", "centroids", "weights");
    private static final int VECTOR_PREVIEW = 6;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final SchemaCatalog catalog;

    public RecordJson(SchemaCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Decodes bytes of any known record type and renders them.
     *
     * @throws RecordDecodingException when the bytes are not a record of a known schema
     */
    public ObjectNode render(byte[] bytes) {
        if (bytes == null || bytes.length < 10 || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
            throw new RecordDecodingException(RecordDecodingException.Problem.NOT_SINGLE_OBJECT,
                    "not an Avro single-object record", null);
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        Schema schema = catalog.find(fingerprint).orElseThrow(() -> new RecordDecodingException(
                RecordDecodingException.Problem.UNKNOWN_SCHEMA,
                "no known schema has fingerprint " + HexFormat.of().formatHex(bytes, 2, 10), null));
        GenericRecord record = AvroCodec.<GenericRecord>forSchema(schema, catalog).decode(bytes);
        return renderRecord(record);
    }

    /** Renders an already decoded record. */
    public static ObjectNode renderRecord(GenericRecord record) {
        ObjectNode node = JSON.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            node.set(field.name(), value(field.name(), field.schema(), record.get(field.pos())));
        }
        return node;
    }

    private static JsonNode value(String name, Schema schema, Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        switch (schema.getType()) {
            case UNION:
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return value(name, branch, value);
                    }
                }
                return JSON.nullNode();
            case RECORD:
                return renderRecord((GenericRecord) value);
            case BYTES:
                return bytes(name, (ByteBuffer) value);
            case ARRAY: {
                ArrayNode array = JSON.arrayNode();
                for (Object item : (Iterable<?>) value) {
                    array.add(value(name, schema.getElementType(), item));
                }
                return array;
            }
            case MAP: {
                ObjectNode map = JSON.objectNode();
                ((Map<?, ?>) value).forEach((k, v) -> map.set(k.toString(), value(name, schema.getValueType(), v)));
                return map;
            }
            case LONG:
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return JSON.textNode(Instant.ofEpochMilli((Long) value).toString());
                }
                return JSON.numberNode((Long) value);
            case INT:
                return JSON.numberNode((Integer) value);
            case DOUBLE:
                return JSON.numberNode((Double) value);
            case FLOAT:
                return JSON.numberNode((Float) value);
            case BOOLEAN:
                return JSON.booleanNode((Boolean) value);
            default:
                return JSON.textNode(value.toString());
        }
    }

    private static JsonNode bytes(String name, ByteBuffer buffer) {
        ObjectNode summary = JSON.objectNode();
        if (VECTOR_FIELDS.contains(name) && buffer.remaining() % Float.BYTES == 0) {
            float[] vector = Float32Vectors.decode(buffer, -1);
            summary.put("dim", vector.length);
            ArrayNode first = summary.putArray("first");
            for (int i = 0; i < Math.min(VECTOR_PREVIEW, vector.length); i++) {
                first.add(vector[i]);
            }
            return summary;
        }
        ByteBuffer copy = buffer.duplicate();
        summary.put("bytes", copy.remaining());
        MessageDigest sha = PairIds.sha256();
        sha.update(copy);
        summary.put("sha256", HexFormat.of().formatHex(sha.digest()));
        return summary;
    }
}
