package dev.kclip.ingest;

import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.SchemaCatalog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * What a producer in another language can put on the wire: an {@code ImageCaptionPair} record, with our schema's
 * fingerprint, whose caption string holds arbitrary bytes. Avro strings are a length and bytes, exactly like Avro
 * {@code bytes}; a writer that does not check its strings (C, or a Python producer handed raw bytes) writes
 * whatever it was given. Here: the same fields, with the caption written through a {@code bytes} schema.
 */
public final class ForeignProducer {

    private ForeignProducer() {
    }

    /** The single-object encoding of {@code pair} with {@code captionBytes} as the caption's wire bytes. */
    public static byte[] withRawCaption(ImageCaptionPair pair, byte[] captionBytes) {
        Schema ours = ImageCaptionPair.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : ours.getFields()) {
            Schema type = field.name().equals("caption") ? Schema.create(Schema.Type.BYTES) : field.schema();
            fields.add(new Schema.Field(field.name(), type, field.doc(), field.defaultVal()));
        }
        Schema foreign = Schema.createRecord(ours.getName(), ours.getDoc(), ours.getNamespace(), false, fields);
        GenericRecord record = new GenericData.Record(foreign);
        record.put("id", pair.getId());
        record.put("caption", ByteBuffer.wrap(captionBytes));
        record.put("image", pair.getImage());
        record.put("mediaType", pair.getMediaType());
        record.put("width", pair.getWidth());
        record.put("height", pair.getHeight());
        record.put("source", pair.getSource());
        record.put("label", pair.getLabel());
        record.put("attributes", pair.getAttributes());
        record.put("eventTime", pair.getEventTime().toEpochMilli());
        record.put("ingestTime", pair.getIngestTime().toEpochMilli());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xC3);
        out.write(0x01);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(SchemaCatalog.fingerprint(ours)).array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(foreign).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
