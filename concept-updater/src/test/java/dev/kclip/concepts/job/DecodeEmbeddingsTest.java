package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.stream.EmbeddingInput;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
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

    private void decode(EmbeddedPair pair) throws Exception {
        DecodeEmbeddings fn = new DecodeEmbeddings(Distance.COSINE);
        fn.open(null);
        RawEmbedding raw = new RawEmbedding(Embeddings.key(pair), Embeddings.encode(pair), "embeddings", 0, 0L);
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
