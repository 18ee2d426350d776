package dev.kclip.common.deadletter;

import dev.kclip.schemas.AvroBytes;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Builds the {@link DeadLetter} a stage writes when it rejects a record: the original bytes exactly as read,
 * where they came from, and why. Every stage uses this so dead letters look the same wherever they come from.
 */
public final class DeadLetters {

    private static final AvroSerde<DeadLetter> SERDE = new AvroSerde<>(DeadLetter.class);

    private DeadLetters() {
    }

    /**
     * A dead letter for a record read from {@code topic}/{@code partition}/{@code offset}.
     *
     * @param stage the rejecting stage: ingest, teacher, concepts, trainer
     * @param reasonCode a stable code such as {@code EMPTY_CAPTION} or {@code BAD_RECORD}
     * @param message what was wrong, for a person
     * @param recordId the pair id when it could be read, else null
     */
    public static DeadLetter of(byte[] key, byte[] value, String topic, int partition, long offset,
            String stage, String reasonCode, String message, String recordId) {
        return DeadLetter.newBuilder()
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setSourceTopic(topic).setSourcePartition(partition).setSourceOffset(offset)
                .setStage(stage).setReasonCode(reasonCode).setMessage(message).setRecordId(recordId)
                .setTime(Instant.now())
                .build();
    }

    /** {@link #of(byte[], byte[], String, int, long, String, String, String, String)} with a stage's reason code. */
    public static DeadLetter of(byte[] key, byte[] value, String topic, int partition, long offset, String stage,
            ReasonCode reason, String message, String recordId) {
        return of(key, value, topic, partition, offset, stage, reason.name(), message, recordId);
    }

    /**
     * The same letter without its original value, the message saying so: for a value too large to travel in a
     * dead letter (writing it would fail on every retry and stall the stage).
     */
    public static DeadLetter withoutValue(DeadLetter letter) {
        int bytes = letter.getOriginalValue() == null ? 0 : letter.getOriginalValue().remaining();
        return DeadLetter.newBuilder(letter)
                .setOriginalValue(null)
                .setMessage(letter.getMessage() + " (original value of " + bytes
                        + " bytes left out: too large for a dead letter)")
                .build();
    }

    /**
     * The letter as it can be written in a record of at most {@code maxRecordBytes} (key and value): unchanged when
     * it fits; else {@link #withoutValue without its original value}; else without its original key too (a 9 MB key
     * travels twice, as the record key and inside the letter). Writing a letter that does not fit would fail on every
     * retry and stall the stage. Key the record by the returned letter's {@code originalKey}.
     */
    public static DeadLetter fitting(DeadLetter letter, int maxRecordBytes) {
        if (size(letter) <= maxRecordBytes) {
            return letter;
        }
        DeadLetter smaller = letter.getOriginalValue() == null ? letter : withoutValue(letter);
        if (size(smaller) <= maxRecordBytes || smaller.getOriginalKey() == null) {
            return smaller;
        }
        return DeadLetter.newBuilder(smaller)
                .setOriginalKey(null)
                .setMessage(smaller.getMessage() + " (original key of " + smaller.getOriginalKey().remaining()
                        + " bytes left out)")
                .build();
    }

    private static long size(DeadLetter letter) {
        long key = letter.getOriginalKey() == null ? 0 : letter.getOriginalKey().remaining();
        return key + encode(letter).length;
    }

    /** The record to send to the dead-letter topic, keyed like the original. */
    public static ProducerRecord<byte[], byte[]> toProducerRecord(DeadLetter letter) {
        byte[] key = letter.getOriginalKey() == null ? null : AvroBytes.toArray(letter.getOriginalKey());
        return new ProducerRecord<>(Topics.DEAD_LETTERS.name(), key, SERDE.serialize(Topics.DEAD_LETTERS.name(), letter));
    }

    /** Encodes a dead letter for the topic (for stages with their own producer abstraction, e.g. Flink). */
    public static byte[] encode(DeadLetter letter) {
        return SERDE.serialize(Topics.DEAD_LETTERS.name(), letter);
    }
}
