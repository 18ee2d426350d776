package dev.kclip.ingest.validate;

import dev.kclip.schemas.serde.SchemaCatalog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * The caption of an {@code ImageCaptionPair} record exactly as its bytes were written. Avro's decoder turns
 * invalid UTF-8 into replacement characters without complaint, and producers in other languages can write any
 * bytes into a string field, so the UTF-8 check has to look at the wire bytes.
 */
final class WireCaption {

    private static final int HEADER_BYTES = 10;
    private static final String FIELD = "caption";

    private WireCaption() {
    }

    /**
     * Walks the record with its writer schema (found by the fingerprint in its header) up to the caption.
     *
     * @param record a record that already decoded successfully
     * @return the caption's bytes, or empty when the writer schema has no plain string caption
     */
    static Optional<byte[]> read(byte[] record, SchemaCatalog catalog) {
        long fingerprint = ByteBuffer.wrap(record, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Optional<Schema> writer = catalog.find(fingerprint);
        if (writer.isEmpty()) {
            return Optional.empty();
        }
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(record, HEADER_BYTES, record.length - HEADER_BYTES, null);
        try {
            for (Schema.Field field : writer.get().getFields()) {
                if (field.name().equals(FIELD)) {
                    if (field.schema().getType() != Schema.Type.STRING) {
                        return Optional.empty();
                    }
                    ByteBuffer bytes = in.readBytes(null); // strings and bytes share their encoding
                    byte[] caption = new byte[bytes.remaining()];
                    bytes.get(caption);
                    return Optional.of(caption);
                }
                GenericDatumReader.skip(field.schema(), in);
            }
        } catch (IOException e) {
            throw new IllegalStateException("record decoded but its caption cannot be located: " + e.getMessage(), e);
        }
        return Optional.empty();
    }
}
