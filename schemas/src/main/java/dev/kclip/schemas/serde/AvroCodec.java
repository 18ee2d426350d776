package dev.kclip.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (marker C3 01, 8-byte schema fingerprint, binary body) of one record type, with
 * schema resolution against the {@link SchemaCatalog}. Thread-safe.
 *
 * @param <T> a generated specific record, or {@link org.apache.avro.generic.GenericRecord} for generic readers
 */
public final class AvroCodec<T> {

    private static final int HEADER_BYTES = 10;

    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroCodec(GenericData model, Schema schema, SchemaCatalog catalog) {
        this.schema = schema;
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, catalog.storeFor(schema.getFullName()));
        this.decoder.addSchema(schema);
    }

    /** Codec for a generated record class, resolving writers from the bundled catalog. */
    public static <T extends SpecificRecord> AvroCodec<T> forClass(Class<T> type) {
        return forClass(type, SchemaCatalog.bundled());
    }

    /** Codec for a generated record class, resolving writers from {@code catalog}. */
    public static <T extends SpecificRecord> AvroCodec<T> forClass(Class<T> type, SchemaCatalog catalog) {
        return new AvroCodec<>(SpecificData.getForClass(type), SpecificData.get().getSchema(type), catalog);
    }

    /** Codec reading and writing generic records of {@code schema}. */
    public static <T> AvroCodec<T> forSchema(Schema schema, SchemaCatalog catalog) {
        return new AvroCodec<>(GenericData.get(), schema, catalog);
    }

    public Schema schema() {
        return schema;
    }

    /** Encodes one record. */
    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
            throw new IllegalArgumentException("cannot encode " + schema.getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes one record.
     *
     * @throws RecordDecodingException when the bytes are not a readable record of this type
     */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_BYTES) {
            throw new RecordDecodingException(RecordDecodingException.Problem.NOT_SINGLE_OBJECT,
                    "not a " + schema.getName() + " record: " + (bytes == null ? "null" : bytes.length + " bytes")
                            + ", shorter than the 10-byte Avro single-object header", null);
        }
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new RecordDecodingException(RecordDecodingException.Problem.UNKNOWN_SCHEMA,
                    "not a " + schema.getName() + " record: no known " + schema.getName()
                            + " schema has fingerprint " + fingerprintHex(bytes)
                            + " (written by a newer or foreign producer?)", e);
        } catch (BadHeaderException e) {
            throw new RecordDecodingException(RecordDecodingException.Problem.NOT_SINGLE_OBJECT,
                    "not a " + schema.getName() + " record: bytes do not start with the Avro single-object marker C3 01", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new RecordDecodingException(RecordDecodingException.Problem.MALFORMED_BODY,
                    "not a " + schema.getName() + " record: " + bytes.length + " bytes, body unreadable ("
                            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + "); truncated?", e);
        }
    }

    private static String fingerprintHex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes, 2, HEADER_BYTES);
    }
}
