package dev.kclip.concepts.job;

import dev.kclip.concepts.stream.EmbeddingInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Groups decoded records into per-teacher mini-batches, so the model and the assigners label many records with one
 * matrix product. A teacher's batch leaves when it holds {@code maxRecords}, when the oldest buffered record has
 * waited {@code maxDelay} of processing time, before every watermark (the bounded input's end-of-time timer must
 * find every record in), before every checkpoint barrier (so nothing is ever buffered in state and the operator has
 * none), and at the end of input. Batching so adds at most {@code maxDelay} to a label's latency, keeps a teacher's
 * records in their order, and changes no label: the model labels a batch as it would the records one by one.
 */
final class BatchRecords extends AbstractStreamOperator<EmbeddingInput[]>
        implements OneInputStreamOperator<EmbeddingInput, EmbeddingInput[]>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    /** The longest a record waits for its batch to fill. */
    static final Duration MAX_DELAY = Duration.ofMillis(10);

    private final int maxRecords;
    private final long maxDelayMillis;

    private transient Map<String, List<EmbeddingInput>> buffers;
    private transient boolean timerPending;

    BatchRecords(int maxRecords, Duration maxDelay) {
        if (maxRecords < 1 || maxDelay.isNegative()) {
            throw new IllegalArgumentException("a batch holds at least one record and waits a non-negative time");
        }
        this.maxRecords = maxRecords;
        this.maxDelayMillis = maxDelay.toMillis();
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffers = new LinkedHashMap<>();
    }

    @Override
    public void processElement(StreamRecord<EmbeddingInput> element) {
        EmbeddingInput input = element.getValue();
        String teacher = input.pair().getTeacherModelId();
        List<EmbeddingInput> buffer = buffers.computeIfAbsent(teacher, t -> new ArrayList<>());
        buffer.add(input);
        if (buffer.size() >= maxRecords) {
            emit(buffers.remove(teacher));
        } else if (!timerPending) {
            timerPending = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + maxDelayMillis, time -> {
                timerPending = false;
                flush();
            });
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() {
        flush();
    }

    private void flush() {
        buffers.values().forEach(this::emit);
        buffers.clear();
    }

    private void emit(List<EmbeddingInput> batch) {
        output.collect(new StreamRecord<>(batch.toArray(new EmbeddingInput[0])));
    }
}
