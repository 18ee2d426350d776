package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.stream.EmbeddingInput;
import dev.kclip.concepts.stream.RejectReason;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.testsupport.fuzz.RecordMutator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/** The decoding step alone, with a context of its own that collects the side output. */
class DecodeEmbeddingsTest {

    private final List<EmbeddingInput> decoded = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();

    @Test
    void aHugeDimensionWithoutItsVectorIsDeadLetteredNotReadPastTheBuffer() throws Exception {
        // 2^30 float32 values would be 4 GiB: an int product wraps to 0 bytes, which an empty embedding matches
        EmbeddedPair huge = Embeddings.pair("huge-dim", Embeddings.TEACHER, ByteBuffer.allocate(0), 1 << 30, 1L);
        EmbeddedPair good = Embeddings.pair("good", new float[] {1f, 2f}, 2L);

        decode(huge);
        decode(good);

        assertEquals(1, deadLetters.size());
        DeadLetter letter = deadLetters.get(0);
        assertEquals("BAD_DIMENSION", letter.getReasonCode());
        assertEquals("huge-dim", letter.getRecordId());
        assertTrue(letter.getMessage().contains("expected 4294967296 bytes"), letter.getMessage());
        assertEquals(List.of("good"), decoded.stream().map(d -> d.pair().getPair().getId()).toList());
    }

    @Test
    void aPairWithANineMegabyteIdIsDeadLetteredWithinTheRecordLimit() throws Exception {
        EmbeddedPair huge = Embeddings.pair("i".repeat(9 * 1024 * 1024), new float[] {1f, 2f}, 1L);
        decode(new RawEmbedding(null, Embeddings.encode(huge), "embeddings", 0, 0L));
        decode(Embeddings.pair("good", new float[] {1f, 2f}, 2L));

        DeadLetter letter = deadLetters.get(0);
        assertEquals("OUTPUT_TOO_LARGE", letter.getReasonCode(), letter.getMessage());
        assertNull(letter.getOriginalValue());
        assertNull(letter.getRecordId(), "the 9 MB id is not repeated");
        assertEquals(List.of("good"), decoded.stream().map(d -> d.pair().getPair().getId()).toList());
    }

    @Test
    void finiteValuesWhoseNormOverflowsAreNonFinite() throws Exception {
        float[] huge = new float[384];
        Arrays.fill(huge, 3e38f);
        decode(Embeddings.pair("huge-values", huge, 1L));
        decode(Embeddings.pair("good", new float[] {3e18f, 1f}, 2L));

        assertEquals(List.of("NON_FINITE_VECTOR"), deadLetters.stream().map(DeadLetter::getReasonCode).toList());
        assertEquals(List.of("good"), decoded.stream().map(d -> d.pair().getPair().getId()).toList());
    }

    @Test
    void aValueDeclaringAOneGibibyteStringIsABadRecord() throws Exception {
        byte[] valid = Embeddings.encode(Embeddings.pair("x", new float[] {1f}, 1L));
        // after the header comes the pair's id: its length, zig-zag 2^31 = 2^30 characters, then one byte
        byte[] hostile = Arrays.copyOf(valid, 16);
        System.arraycopy(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'x'}, 0, hostile, 10, 6);
        decode(new RawEmbedding(null, hostile, "embeddings", 0, 0L));
        decode(new RawEmbedding(null, null, "embeddings", 0, 1L));
        decode(new RawEmbedding(null, new byte[0], "embeddings", 0, 2L));

        assertEquals(List.of("BAD_RECORD", "BAD_RECORD", "BAD_RECORD"),
                deadLetters.stream().map(DeadLetter::getReasonCode).toList());
        assertTrue(deadLetters.get(0).getMessage().contains("declares 1073741824 bytes"), deadLetters.get(0).getMessage());
    }

    /**
     * Seeded fuzzing: 10,000 records, each valid one followed by a mutated copy. Every valid record is decoded
     * unchanged; every mutated one is decoded as a labelable record or dead-lettered with a concepts reason code.
     */
    @Test
    void fuzzedRecordsAreDecodedOrDeadLetteredAndValidOnesPassUnchanged() throws Exception {
        RecordMutator mutator = new RecordMutator(16);
        Random vectors = new Random(16);
        List<EmbeddedPair> valid = new ArrayList<>();
        Set<String> codes = Arrays.stream(RejectReason.values()).map(Enum::name).collect(Collectors.toSet());
        for (int i = 0; i < 5_000; i++) {
            float[] vector = new float[1 + vectors.nextInt(16)];
            for (int d = 0; d < vector.length; d++) {
                vector[d] = (float) vectors.nextGaussian();
            }
            EmbeddedPair pair = Embeddings.pair(Embeddings.id(i), vector, i);
            valid.add(pair);
            decode(pair);
            decode(new RawEmbedding(null, mutator.mutate(Embeddings.encode(pair)).bytes(), "embeddings", 0, 2L * i + 1));
        }
        assertEquals(10_000, decoded.size() + deadLetters.size());
        List<EmbeddedPair> validOut = decoded.stream().filter(d -> d.sourceOffset() % 2 == 0).map(EmbeddingInput::pair).toList();
        assertEquals(valid, validOut, "every valid record, unchanged, in order");
        for (EmbeddingInput in : decoded) {
            // what the concept model does first with every record it is given: must not throw
            Distance.COSINE.prepare(Float32Vectors.decode(in.pair().getEmbedding(), in.pair().getDim()));
        }
        for (DeadLetter letter : deadLetters) {
            assertTrue(codes.contains(letter.getReasonCode()), letter.getReasonCode());
            assertEquals(1, letter.getSourceOffset() % 2, "only mutated records rejected: " + letter.getMessage());
        }
        assertTrue(deadLetters.size() > 2_500, deadLetters.size() + " rejected");
    }

    private void decode(EmbeddedPair pair) throws Exception {
        decode(new RawEmbedding(Embeddings.key(pair), Embeddings.encode(pair), "embeddings", 0, 0L));
    }

    private void decode(RawEmbedding raw) throws Exception {
        DecodeEmbeddings fn = new DecodeEmbeddings(Distance.COSINE);
        fn.open(null);
        fn.processElement(raw, fn.new Context() {
            @Override
            public Long timestamp() {
                return null;
            }

            @Override
            public TimerService timerService() {
                throw new UnsupportedOperationException();
            }

            @Override
            public <X> void output(OutputTag<X> tag, X value) {
                assertEquals(Rejections.DEAD_LETTERS, tag);
                deadLetters.add((DeadLetter) value);
            }
        }, new Collector<>() {
            @Override
            public void collect(EmbeddingInput record) {
                decoded.add(record);
            }

            @Override
            public void close() {
            }
        });
    }
}
