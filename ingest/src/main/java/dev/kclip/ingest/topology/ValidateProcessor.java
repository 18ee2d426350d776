package dev.kclip.ingest.topology;

import dev.kclip.common.deadletter.DeadLetters;
import dev.kclip.ingest.push.RawPairProducer;
import dev.kclip.ingest.validate.DecodedPair;
import dev.kclip.ingest.validate.PairRejectedException;
import dev.kclip.ingest.validate.PairValidator;
import dev.kclip.ingest.validate.RejectReason;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/** Decodes, de-duplicates, checks and normalises each raw record; forwards it to the output or the dead letters. */
final class ValidateProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    static final String STAGE = "ingest";
    /**
     * The largest record (key and value) this processor forwards: what the topics accept less room for the batch
     * headers, the same bound the push client keeps. A larger one would fail the Streams task on every retry.
     */
    static final int MAX_RECORD_BYTES = RawPairProducer.MAX_RECORD_BYTES;

    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);

    private final PairValidator validator;
    private final long windowMillis;
    private final IngestMetrics metrics;
    private ProcessorContext<byte[], byte[]> context;
    private WindowStore<String, Long> seenIds;

    ValidateProcessor(PairValidator validator, Duration dedupWindow, IngestMetrics metrics) {
        this.validator = validator;
        this.windowMillis = dedupWindow.toMillis();
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.seenIds = context.getStateStore(IngestTopology.SEEN_IDS_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.read(record.value() == null ? 0 : record.value().length);
        try {
            DecodedPair decoded = validator.decode(record.value());
            // Wall-clock time, not record time: a producer's clock must not be able to expire the window.
            long now = context.currentSystemTimeMs();
            if (seenWithinWindow(decoded.id(), now)) {
                metrics.duplicate();
                return;
            }
            ImageCaptionPair pair = timedNormalize(decoded);
            byte[] key = decoded.id().getBytes(StandardCharsets.UTF_8);
            byte[] value = PAIRS.encode(pair);
            if (key.length + value.length > MAX_RECORD_BYTES) {
                throw new PairRejectedException(RejectReason.OUTPUT_TOO_LARGE, String.format(Locale.ROOT,
                        "the normalised pair takes %,d bytes with its key, more than the %,d a record may",
                        key.length + value.length, MAX_RECORD_BYTES), decoded.id());
            }
            seenIds.put(decoded.id(), now, now);
            context.forward(new Record<>(key, value, record.timestamp()), IngestTopology.OUTPUT_SINK);
            metrics.accepted(value.length);
        } catch (PairRejectedException e) {
            deadLetter(record, e);
        }
    }

    private ImageCaptionPair timedNormalize(DecodedPair decoded) throws PairRejectedException {
        long start = System.nanoTime();
        try {
            return validator.normalize(decoded);
        } finally {
            metrics.normalizing().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private boolean seenWithinWindow(String id, long now) {
        try (WindowStoreIterator<Long> seen = seenIds.fetch(id, now - windowMillis, now)) {
            return seen.hasNext();
        }
    }

    /**
     * Forwards the dead letter for a rejected record. It carries the original key and value, but must itself fit in
     * a record ({@link DeadLetters#fitting}). The value is left out for {@code OUTPUT_TOO_LARGE} (it cannot fit) and
     * for {@code UNSUPPORTED_FORMAT}: bytes that are no image of a known format do not travel on in the dead letters.
     */
    private void deadLetter(Record<byte[], byte[]> record, PairRejectedException rejection) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        boolean keepValue = rejection.reason() != RejectReason.OUTPUT_TOO_LARGE
                && rejection.reason() != RejectReason.UNSUPPORTED_FORMAT;
        String message = rejection.getMessage() + (keepValue || record.value() == null ? ""
                : " (original value of " + record.value().length + " bytes left out)");
        DeadLetter letter = DeadLetters.fitting(DeadLetters.of(record.key(), keepValue ? record.value() : null,
                source.topic(), source.partition(), source.offset(), STAGE, rejection.reason(), message,
                rejection.recordId()), MAX_RECORD_BYTES);
        byte[] key = letter.getOriginalKey() == null ? null : record.key();
        context.forward(new Record<>(key, DeadLetters.encode(letter), record.timestamp()),
                IngestTopology.DEAD_LETTER_SINK);
        metrics.rejected(rejection.reason());
    }
}
