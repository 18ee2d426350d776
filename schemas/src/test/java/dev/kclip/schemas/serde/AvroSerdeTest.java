package dev.kclip.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.AvroBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {

    static Stream<SpecificRecord> everySchema() {
        return Stream.of(SampleRecords.pair(), SampleRecords.embedded(), SampleRecords.labelled(),
                SampleRecords.centroids(), SampleRecords.drift(), SampleRecords.checkpoint(),
                SampleRecords.deadLetter());
    }

    @ParameterizedTest
    @MethodSource("everySchema")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyRecordRoundTrips(SpecificRecord record) {
        AvroSerde serde = new AvroSerde(record.getClass());
        byte[] bytes = serde.serialize("t", record);

        assertEquals((byte) 0xC3, bytes[0], "single-object marker");
        assertEquals((byte) 0x01, bytes[1], "single-object marker");
        Object back = serde.deserialize("t", bytes);
        assertEquals(record, back);
    }

    @Test
    void configuredByClassNameLikeKafkaClientsDo() {
        AvroSerde<ImageCaptionPair> serde = new AvroSerde<>();
        serde.configure(Map.of(AvroSerde.VALUE_TYPE_CONFIG, ImageCaptionPair.class.getName()), false);
        ImageCaptionPair pair = SampleRecords.pair();
        assertEquals(pair, serde.deserialize("t", serde.serialize("t", pair)));
        assertNull(serde.deserialize("t", null), "tombstones stay null");
    }

    @Test
    void missingTypeConfigIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AvroSerde<>().configure(Map.of(), false));
        assertTrue(e.getMessage().contains(AvroSerde.VALUE_TYPE_CONFIG), e.getMessage());
    }

    @Test
    void olderReaderReadsRecordWrittenWithNewerSchema() throws IOException {
        Schema newer = newerPairSchema();
        SchemaCatalog catalog = SchemaCatalog.of(List.of(ImageCaptionPair.getClassSchema()));
        ImageCaptionPair original = SampleRecords.pair();
        GenericRecord written = toNewer(original, newer);
        written.put("licence", "Apache-2.0");
        byte[] bytes = AvroCodec.<GenericRecord>forSchema(newer, catalog).encode(written);

        AvroCodec<ImageCaptionPair> olderReader = AvroCodec.forClass(ImageCaptionPair.class, catalog);
        RecordDecodingException unknown = assertThrows(RecordDecodingException.class, () -> olderReader.decode(bytes));
        assertEquals(RecordDecodingException.Problem.UNKNOWN_SCHEMA, unknown.problem(), "until the schema is known");

        catalog.register(newer);
        assertEquals(original, olderReader.decode(bytes), "the added field is ignored, the rest read as written");
    }

    @Test
    void newerReaderReadsRecordWrittenWithOlderSchema() throws IOException {
        Schema newer = newerPairSchema();
        byte[] bytes = new AvroSerde<>(ImageCaptionPair.class).serialize("t", SampleRecords.pair());

        GenericRecord read = AvroCodec.<GenericRecord>forSchema(newer, SchemaCatalog.bundled()).decode(bytes);

        assertNull(read.get("licence"), "the added field takes its default");
        assertEquals("red apple", read.get("caption").toString());
        assertEquals(64, read.get("width"));
    }

    /** Records written before {@code conceptIds} existed (still on the topics) read with the ids left empty. */
    @Test
    void recordsWrittenBeforeConceptIdsStillRead() throws IOException {
        LabelledPair labelled = SampleRecords.labelled();
        byte[] oldLabel = writeWithHistoricalSchema("LabelledPair-v1.avsc", labelled);
        LabelledPair readLabel = new AvroSerde<>(LabelledPair.class).deserialize("t", oldLabel);
        assertEquals(List.of(), readLabel.getConceptIds(), "the added field takes its default");
        assertEquals(labelled.getSoftLabel(), readLabel.getSoftLabel());
        assertEquals(labelled.getEmbedded(), readLabel.getEmbedded());

        CentroidSnapshot snapshot = SampleRecords.centroids();
        byte[] oldSnapshot = writeWithHistoricalSchema("CentroidSnapshot-v1.avsc", snapshot);
        CentroidSnapshot readSnapshot = new AvroSerde<>(CentroidSnapshot.class).deserialize("t", oldSnapshot);
        assertEquals(List.of(), readSnapshot.getConceptIds());
        assertEquals(snapshot.getReseeded(), readSnapshot.getReseeded());
        assertEquals(snapshot.getCentroids(), readSnapshot.getCentroids());
    }

    /** Drift reports written before {@code conceptEvents} existed read with no events. */
    @Test
    void driftReportsWrittenBeforeConceptEventsStillRead() throws IOException {
        DriftReport report = SampleRecords.drift();
        byte[] old = writeWithHistoricalSchema("DriftReport-v1.avsc", report);
        DriftReport read = new AvroSerde<>(DriftReport.class).deserialize("t", old);
        assertEquals(List.of(), read.getConceptEvents(), "the added field takes its default");
        assertEquals(report.getConceptCounts(), read.getConceptCounts());
        assertEquals(report.getLevel(), read.getLevel());
        assertEquals(1, report.getConceptEvents().size(), "the sample has an event the old schema drops");
    }

    @Test
    void driftReportsWrittenBeforeCalibrationStillRead() throws IOException {
        DriftReport report = SampleRecords.drift();
        byte[] old = writeWithHistoricalSchema("DriftReport-v1.avsc", report);
        DriftReport read = new AvroSerde<>(DriftReport.class).deserialize("t", old);
        assertEquals(report.getJsDivergence(), read.getJsDivergence());
        assertEquals(report.getConceptCounts(), read.getConceptCounts());
        assertNull(read.getMmd(), "the added fields take their defaults");
        assertNull(read.getThresholds());
        assertEquals(List.of(), read.getReasons());
        assertEquals(List.of(), read.getRising());
        assertEquals(List.of(), read.getFalling());
    }

    @Test
    void unknownFingerprintIsTheTypedError() {
        byte[] bytes = new AvroSerde<>(ImageCaptionPair.class).serialize("t", SampleRecords.pair());
        bytes[5] ^= 0x5A;

        RecordDecodingException e = assertThrows(RecordDecodingException.class,
                () -> new AvroSerde<>(ImageCaptionPair.class).deserialize("t", bytes));
        assertEquals(RecordDecodingException.Problem.UNKNOWN_SCHEMA, e.problem());
        assertTrue(e.getMessage().contains("fingerprint"), e.getMessage());
    }

    @Test
    void recordOfAnotherTypeIsAnUnknownSchemaForThisReader() {
        byte[] deadLetter = new AvroSerde<>(DeadLetter.class).serialize("t", SampleRecords.deadLetter());
        RecordDecodingException e = assertThrows(RecordDecodingException.class,
                () -> new AvroSerde<>(ImageCaptionPair.class).deserialize("t", deadLetter));
        assertEquals(RecordDecodingException.Problem.UNKNOWN_SCHEMA, e.problem());
    }

    @Test
    void truncatedBytesAreTheTypedError() {
        byte[] bytes = new AvroSerde<>(ImageCaptionPair.class).serialize("t", SampleRecords.pair());
        AvroSerde<ImageCaptionPair> serde = new AvroSerde<>(ImageCaptionPair.class);

        for (int length : new int[] {0, 1, 9, 10, 20, bytes.length / 2, bytes.length - 1}) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            RecordDecodingException e = assertThrows(RecordDecodingException.class,
                    () -> serde.deserialize("t", truncated), "length " + length);
            assertTrue(e.getMessage().startsWith("not a ImageCaptionPair record"), e.getMessage());
        }
    }

    @Test
    void randomBytesAreTheTypedError() {
        byte[] text = "{\"caption\": \"json, not avro\"}".getBytes();
        RecordDecodingException e = assertThrows(RecordDecodingException.class,
                () -> new AvroSerde<>(ImageCaptionPair.class).deserialize("t", text));
        assertEquals(RecordDecodingException.Problem.NOT_SINGLE_OBJECT, e.problem());
    }

    @Test
    void catalogNamesEveryTopicOnceWithItsLayout() {
        assertEquals(Topics.ALL.size(), Topics.ALL.stream().map(t -> t.name()).distinct().count());
        assertTrue(Topics.CENTROIDS.compacted());
        assertTrue(Topics.CHECKPOINTS.compacted());
        assertEquals(false, Topics.PAIRS.compacted());
        assertEquals(Topics.PAIRS, Topics.byName("kclip.pairs").orElseThrow());
    }

    /** Encodes {@code record} with an older writer schema from the bundled history (fields it lacks are dropped). */
    private static byte[] writeWithHistoricalSchema(String file, SpecificRecord record) throws IOException {
        Schema old;
        try (InputStream in = AvroSerdeTest.class.getResourceAsStream("/dev/kclip/schemas/history/" + file)) {
            old = new Schema.Parser().parse(in);
        }
        GenericRecord generic = (GenericRecord) SpecificData.get().deepCopy(record.getSchema(), record);
        GenericRecordBuilder asOld = new GenericRecordBuilder(old);
        for (Schema.Field field : old.getFields()) {
            asOld.set(field.name(), generic.get(field.name()));
        }
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(model, old).encode(asOld.build());
        return AvroBytes.toArray(encoded);
    }

    private static Schema newerPairSchema() throws IOException {
        try (InputStream in = AvroSerdeTest.class.getResourceAsStream("/evolution/ImageCaptionPair-v2.avsc")) {
            return new Schema.Parser().parse(in);
        }
    }

    private static GenericRecord toNewer(ImageCaptionPair pair, Schema newer) {
        GenericRecord record = new GenericData.Record(newer);
        for (Schema.Field field : ImageCaptionPair.getClassSchema().getFields()) {
            Object value = pair.get(field.pos());
            if (value instanceof java.time.Instant instant) {
                value = instant.toEpochMilli();
            }
            record.put(field.name(), value);
        }
        return record;
    }
}
