package dev.kclip.ingest.topology;

import dev.kclip.common.deadletter.DeadLetters;
import dev.kclip.ingest.validate.DecodedPair;
import dev.kclip.ingest.validate.PairRejectedException;
import dev.kclip.ingest.validate.PairValidator;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
    /** Dead letters above this size leave the original value out, so the dead-letter topic always accepts them. */
    static final int MAX_DEAD_LETTER_VALUE = 15 * 1024 * 1024;

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
            byte[] value = PAIRS.encode(pair);
            seenIds.put(decoded.id(), now, now);
            context.forward(new Record<>(decoded.id().getBytes(StandardCharsets.UTF_8), value, record.timestamp()),
                    IngestTopology.OUTPUT_SINK);
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

    private void deadLetter(Record<byte[], byte[]> record, PairRejectedException rejection) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        DeadLetter letter = DeadLetters.of(record.key(), record.value(), source.topic(), source.partition(),
                source.offset(), STAGE, rejection.reason().name(), rejection.getMessage(), rejection.recordId());
        if (record.value() != null && record.value().length > MAX_DEAD_LETTER_VALUE) {
            letter = DeadLetters.withoutValue(letter);
        }
        context.forward(new Record<>(record.key(), DeadLetters.encode(letter), record.timestamp()),
                IngestTopology.DEAD_LETTER_SINK);
        metrics.rejected(rejection.reason());
    }
}
