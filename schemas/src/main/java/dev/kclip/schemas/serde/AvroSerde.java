package dev.kclip.schemas.serde;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Kafka {@link Serde} (and its serializer and deserializer) for one of our Avro records, in single-object
 * encoding. Usable from code ({@code new AvroSerde<>(ImageCaptionPair.class)}) and from client properties
 * ({@code value.deserializer=dev.kclip.schemas.serde.AvroSerde} with {@value #VALUE_TYPE_CONFIG} naming the
 * record class).
 *
 * <p>A deserializer throws {@link RecordDecodingException} for bytes that are not such a record; Kafka Streams
 * applications route it to their dead-letter handling.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    /** Client property naming the record class of values, when configured by class name. */
    public static final String VALUE_TYPE_CONFIG = "kclip.avro.value.type";
    /** Client property naming the record class of keys, when configured by class name. */
    public static final String KEY_TYPE_CONFIG = "kclip.avro.key.type";

    private AvroCodec<T> codec;

    /** For Kafka's reflective instantiation; {@link #configure} then names the record class. */
    public AvroSerde() {
    }

    public AvroSerde(Class<T> type) {
        this.codec = AvroCodec.forClass(type);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (codec != null) {
            return;
        }
        String property = isKey ? KEY_TYPE_CONFIG : VALUE_TYPE_CONFIG;
        Object type = configs.get(property);
        if (type == null) {
            throw new IllegalArgumentException("AvroSerde needs " + property + " = the record class, e.g. "
                    + "dev.kclip.schemas.ImageCaptionPair");
        }
        try {
            Class<?> cls = type instanceof Class<?> c ? c : Class.forName(type.toString());
            codec = AvroCodec.forClass((Class<T>) cls.asSubclass(SpecificRecord.class));
        } catch (ClassNotFoundException | ClassCastException e) {
            throw new IllegalArgumentException(property + " = " + type + " is not an Avro record class", e);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : codec().encode(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null ? null : codec().decode(data);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void close() {
    }

    private AvroCodec<T> codec() {
        if (codec == null) {
            throw new IllegalStateException("AvroSerde used before configure(): set " + VALUE_TYPE_CONFIG);
        }
        return codec;
    }
}
