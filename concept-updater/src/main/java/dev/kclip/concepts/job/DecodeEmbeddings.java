package dev.kclip.concepts.job;

import dev.kclip.common.deadletter.DeadLetters;
import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.stream.EmbeddingInput;
import dev.kclip.concepts.stream.RejectReason;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.schemas.serde.RecordDecodingException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes and validates input records; whatever cannot be labelled leaves through
 * {@link Rejections#DEAD_LETTERS} with its original bytes (left out when they would not fit) and a reason code, and
 * the job goes on. A record whose outputs could not be written (a failing sink would restart the job on every retry)
 * is rejected here too.
 */
final class DecodeEmbeddings extends ProcessFunction<RawEmbedding, EmbeddingInput> {

    private static final long serialVersionUID = 1L;
    /** Room for what a LabelledPair adds to its EmbeddedPair: the soft label and ids of up to 4,096 concepts. */
    private static final int LABEL_BYTES = 64 * 1024;

    private final Distance distance;
    private transient AvroCodec<EmbeddedPair> codec;

    DecodeEmbeddings(Distance distance) {
        this.distance = distance;
    }

    @Override
    public void open(OpenContext openContext) {
        codec = AvroCodec.forClass(EmbeddedPair.class);
    }

    @Override
    public void processElement(RawEmbedding raw, Context ctx, Collector<EmbeddingInput> out) {
        EmbeddedPair pair;
        try {
            pair = codec.decode(raw.value());
        } catch (RecordDecodingException e) {
            reject(raw, ctx, RejectReason.BAD_RECORD, e.getMessage(), null);
            return;
        }
        Problem problem = sizeProblem(raw, pair);
        if (problem == null) {
            problem = vectorProblem(pair);
        }
        if (problem != null) {
            reject(raw, ctx, problem.code(), problem.message(),
                    problem.code() == RejectReason.OUTPUT_TOO_LARGE ? null : pair.getPair().getId());
            return;
        }
        out.collect(new EmbeddingInput(pair, raw.topic(), raw.partition(), raw.offset()));
    }

    /** Why a decoded record cannot be labelled. */
    private record Problem(RejectReason code, String message) {
    }

    /**
     * Too large to go on, or null. Later stages write the pair keyed by its id, and a dead letter of it (after a
     * dimension mismatch, say) carries the id as record key, original key and record id: three ids and the value must
     * fit in a record, and the LabelledPair's soft label too.
     */
    private static Problem sizeProblem(RawEmbedding raw, EmbeddedPair pair) {
        long idBytes = pair.getPair().getId().getBytes(StandardCharsets.UTF_8).length;
        long needed = 3 * idBytes + raw.value().length + LABEL_BYTES;
        if (needed > Topics.MAX_RECORD_BYTES) {
            return new Problem(RejectReason.OUTPUT_TOO_LARGE, "a record of " + raw.value().length
                    + " bytes with an id of " + idBytes + " bytes is too large to label: its outputs would exceed "
                    + Topics.MAX_RECORD_BYTES + " bytes");
        }
        return null;
    }

    /** The problem with the record's embedding, or null when it can be labelled. */
    private Problem vectorProblem(EmbeddedPair pair) {
        if (pair.getTeacherModelId() == null || pair.getTeacherModelId().isBlank()) {
            return new Problem(RejectReason.MISSING_TEACHER, "the record names no teacher model");
        }
        int dim = pair.getDim();
        ByteBuffer bytes = pair.getEmbedding();
        // long: dim * 4 overflows int from dim = 2^29 on, and 2^30 * 4 wraps to 0, the size of an empty embedding
        long expectedBytes = Math.max(0, dim) * (long) Float.BYTES;
        if (dim < 1 || bytes.remaining() != expectedBytes) {
            return new Problem(RejectReason.BAD_DIMENSION, "embedding has " + bytes.remaining() + " bytes but dim is "
                    + dim + " (expected " + expectedBytes + " bytes of float32)");
        }
        ByteBuffer floats = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        boolean allZero = true;
        float squaredNorm = 0;
        for (int i = 0; i < dim; i++) {
            float v = floats.getFloat(floats.position() + i * Float.BYTES);
            if (!Float.isFinite(v)) {
                return new Problem(RejectReason.NON_FINITE_VECTOR, "embedding value " + i + " is " + v);
            }
            allZero &= v == 0f;
            squaredNorm += v * v;
        }
        if (!Float.isFinite(squaredNorm)) {
            // finite values of 1e19 and more: their distances and norms overflow, so no geometry can place them
            return new Problem(RejectReason.NON_FINITE_VECTOR, "embedding's squared norm overflows float32");
        }
        if (allZero && distance == Distance.COSINE) {
            return new Problem(RejectReason.ZERO_VECTOR, "an all-zero embedding has no direction for cosine distance");
        }
        return null;
    }

    private static void reject(RawEmbedding raw, Context ctx, RejectReason code, String message, String recordId) {
        DeadLetter letter = DeadLetters.of(raw.key(), code == RejectReason.OUTPUT_TOO_LARGE ? null : raw.value(),
                raw.topic(), raw.partition(), raw.offset(), RejectReason.STAGE, code, message, recordId);
        ctx.output(Rejections.DEAD_LETTERS, DeadLetters.fitting(letter, Topics.MAX_RECORD_BYTES));
    }
}
