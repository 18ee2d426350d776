package dev.kclip.teacher.service;

import dev.kclip.common.deadletter.DeadLetters;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.schemas.serde.RecordDecodingException;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.service.CaptionEmbedder.Admission;
import dev.kclip.teacher.service.CaptionEmbedder.Embedded;
import dev.kclip.teacher.service.CaptionEmbedder.Outcome;
import dev.kclip.teacher.service.CaptionEmbedder.Rejected;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What the teacher makes of the records it consumes, without Kafka clients: each record decoded and priced
 * ({@link #intake}), then each batch turned into the records of its transaction ({@link #route}): an
 * {@code EmbeddedPair} per embedded caption, a dead letter per rejected record, sized to fit the producer's limit.
 */
final class BatchRouting {

    /**
     * A consumed record on its way to a batch: decoded and admitted (its caption tokenised once, for the model), or
     * already rejected.
     *
     * @param admission the embedder's admission of its caption; null when the record is no pair
     */
    record Pending(ConsumerRecord<byte[], byte[]> record, ImageCaptionPair pair, Admission admission, Rejected rejected) {
        /** What its caption costs in a batch (0 when rejected or cached). */
        int tokens() {
            return admission == null ? 0 : admission.tokens();
        }

        TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }
    }

    /**
     * The records of one batch's transaction.
     *
     * @param records outputs and dead letters, in input order
     * @param offsets the next offset to read per input partition
     * @param rejected dead letters per reason
     * @param embedded pairs written with their embedding
     * @param tokens tokens of the embedded captions
     */
    record Routed(List<ProducerRecord<byte[], byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets,
            Map<RejectReason, Integer> rejected, int embedded, long tokens) {
    }

    private final AvroCodec<ImageCaptionPair> pairs = AvroCodec.forClass(ImageCaptionPair.class);
    private final AvroCodec<EmbeddedPair> embeddedPairs = AvroCodec.forClass(EmbeddedPair.class);
    private final CaptionEmbedder embedder;
    private final String outputTopic;
    private final String deadLetterTopic;
    private final int maxRecordBytes;

    /** @param maxRecordBytes the largest record (key and value) the producer may send */
    BatchRouting(CaptionEmbedder embedder, String outputTopic, String deadLetterTopic, int maxRecordBytes) {
        this.embedder = embedder;
        this.outputTopic = outputTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Decodes a record and admits its caption (tokenised once, priced); a tombstone or bytes that are no pair are rejected here. */
    Pending intake(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return new Pending(record, null, null, new Rejected(RejectReason.BAD_RECORD, "null value (tombstone)"));
        }
        ImageCaptionPair pair;
        try {
            pair = pairs.decode(record.value());
        } catch (RecordDecodingException e) {
            return new Pending(record, null, null, new Rejected(RejectReason.BAD_RECORD, e.getMessage()));
        }
        Admission admission = embedder.admit(pair.getCaption());
        return new Pending(record, pair, admission, admission.rejected());
    }

    /**
     * The transaction's records for a batch.
     *
     * @param outcomes one per pending record that was not rejected at intake, in order
     */
    Routed route(List<Pending> batch, List<Outcome> outcomes, Instant now) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(batch.size());
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<RejectReason, Integer> rejected = new EnumMap<>(RejectReason.class);
        int embedded = 0;
        long tokens = 0;
        int next = 0;
        for (Pending p : batch) {
            Outcome outcome = p.rejected() != null ? p.rejected() : outcomes.get(next++);
            if (outcome instanceof Embedded e) {
                byte[] key = p.pair().getId().getBytes(StandardCharsets.UTF_8);
                byte[] value = embeddedPairs.encode(embeddedPair(p.pair(), e.embedding(), now));
                // the key counts too: a pair with a 9 MB id, keyed by it, doubles its size on the way out
                if (key.length + value.length > maxRecordBytes) {
                    outcome = new Rejected(RejectReason.OUTPUT_TOO_LARGE, "EmbeddedPair of " + value.length
                            + " bytes with a key of " + key.length
                            + " bytes exceeds the producer's max.request.size; original value left out");
                } else {
                    records.add(new ProducerRecord<>(outputTopic, key, value));
                    embedded++;
                    tokens += e.embedding().tokenCount();
                }
            }
            if (outcome instanceof Rejected r) {
                records.add(deadLetter(p, r));
                rejected.merge(r.reason(), 1, Integer::sum);
            }
            offsets.merge(p.partition(), new OffsetAndMetadata(p.record().offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return new Routed(records, offsets, rejected, embedded, tokens);
    }

    private EmbeddedPair embeddedPair(ImageCaptionPair pair, TeacherEmbedding e, Instant now) {
        return EmbeddedPair.newBuilder()
                .setPair(pair)
                .setTeacherModelId(embedder.teacher().modelId())
                .setEmbedding(Float32Vectors.encode(e.vector()))
                .setDim(e.vector().length)
                .setTokenCount(e.tokenCount())
                .setTruncated(e.truncated())
                .setEmbeddedTime(now)
                .build();
    }

    /**
     * The dead letter for a rejected record, fitted under the producer's record size limit
     * ({@link DeadLetters#fitting}): the transaction would otherwise fail on every retry and stall the stream.
     */
    private ProducerRecord<byte[], byte[]> deadLetter(Pending p, Rejected r) {
        ConsumerRecord<byte[], byte[]> record = p.record();
        String id = p.pair() == null ? null : p.pair().getId();
        byte[] value = r.reason() == RejectReason.OUTPUT_TOO_LARGE ? null : record.value();
        DeadLetter letter = DeadLetters.fitting(DeadLetters.of(record.key(), value, record.topic(), record.partition(),
                record.offset(), TeacherService.STAGE, r.reason(), r.message(), id), maxRecordBytes);
        byte[] key = letter.getOriginalKey() == null ? null : record.key();
        return new ProducerRecord<>(deadLetterTopic, key, DeadLetters.encode(letter));
    }
}
