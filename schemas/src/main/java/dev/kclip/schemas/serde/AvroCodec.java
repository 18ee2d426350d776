package dev.kclip.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.DatumReader;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (marker C3 01, 8-byte schema fingerprint, binary body) of one record type, with
 * schema resolution against the {@link SchemaCatalog}. Thread-safe.
 *
 * <p>Decoding is bounded: every length and item count a record declares is checked against the bytes it has before
 * anything is allocated ({@link BoundedBinaryDecoder}), so no record, however hostile, makes a reader allocate more
 * than its own size; a record fails with a {@link RecordDecodingException}, never an {@link OutOfMemoryError}.
 *
 * @param <T> a generated specific record, or {@link org.apache.avro.generic.GenericRecord} for generic readers
 */
public final class AvroCodec<T> {

    private static final int HEADER_BYTES = 10;

    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final GenericData model;
    private final SchemaStore writers;
    /** One reader per writer schema met, by fingerprint (Avro's datum readers are thread-safe). */
    private final Map<Long, DatumReader<T>> readers = new ConcurrentHashMap<>();

    private AvroCodec(GenericData model, Schema schema, SchemaCatalog catalog) {
        this.schema = schema;
        this.model = model;
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        long own = SchemaCatalog.fingerprint(schema);
        SchemaStore store = catalog.storeFor(schema.getFullName());
        this.writers = fingerprint -> fingerprint == own ? schema : store.findByFingerprint(fingerprint);
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
        if (bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
            throw new RecordDecodingException(RecordDecodingException.Problem.NOT_SINGLE_OBJECT,
                    "not a " + schema.getName() + " record: bytes do not start with the Avro single-object marker C3 01", null);
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        DatumReader<T> reader = readerFor(fingerprint);
        if (reader == null) {
            throw new RecordDecodingException(RecordDecodingException.Problem.UNKNOWN_SCHEMA,
                    "not a " + schema.getName() + " record: no known " + schema.getName()
                            + " schema has fingerprint " + fingerprintHex(bytes)
                            + " (written by a newer or foreign producer?)", null);
        }
        try {
            return reader.read(null, new BoundedBinaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES));
        } catch (IOException | RuntimeException e) {
            // any failure inside the body (a short read, a bad union index, an enum symbol out of range) is the
            // bytes' fault: hostile input must not be able to raise anything else
            throw new RecordDecodingException(RecordDecodingException.Problem.MALFORMED_BODY,
                    "not a " + schema.getName() + " record: " + bytes.length + " bytes, body unreadable ("
                            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + "); truncated?", e);
        }
    }

    @SuppressWarnings("unchecked")
    private DatumReader<T> readerFor(long fingerprint) {
        DatumReader<T> known = readers.get(fingerprint);
        if (known != null) {
            return known;
        }
        Schema writer = writers.findByFingerprint(fingerprint);
        if (writer == null) {
            return null;
        }
        return readers.computeIfAbsent(fingerprint, f -> (DatumReader<T>) model.createDatumReader(writer, schema));
    }

    private static String fingerprintHex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes, 2, HEADER_BYTES);
    }
}
