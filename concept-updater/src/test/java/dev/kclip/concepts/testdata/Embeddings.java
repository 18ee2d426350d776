package dev.kclip.concepts.testdata;

import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/** Builds {@link EmbeddedPair} records around test vectors, as the teacher would write them. */
public final class Embeddings {

    public static final String TEACHER = "test-teacher";
    private static final AvroCodec<EmbeddedPair> CODEC = AvroCodec.forClass(EmbeddedPair.class);
    private static final byte[] TINY_IMAGE = {(byte) 0x89, 'P', 'N', 'G'};

    private Embeddings() {
    }

    /** A pair with id {@code id} whose embedding is {@code vector}, embedded at {@code time} ms. */
    public static EmbeddedPair pair(String id, float[] vector, long time) {
        return pair(id, TEACHER, Float32Vectors.encode(vector), vector.length, time);
    }

    /** A pair with arbitrary embedding bytes and declared dimension (for invalid records). */
    public static EmbeddedPair pair(String id, String teacher, ByteBuffer embedding, int dim, long time) {
        ImageCaptionPair pair = ImageCaptionPair.newBuilder()
                .setId(id).setCaption("caption " + id).setImage(ByteBuffer.wrap(TINY_IMAGE))
                .setMediaType("image/png").setWidth(1).setHeight(1).setSource("test").setLabel(null)
                .setAttributes(Map.of()).setEventTime(Instant.ofEpochMilli(time)).setIngestTime(Instant.ofEpochMilli(time))
                .build();
        return EmbeddedPair.newBuilder()
                .setPair(pair).setTeacherModelId(teacher).setEmbedding(embedding).setDim(dim)
                .setTokenCount(3).setTruncated(false).setEmbeddedTime(Instant.ofEpochMilli(time))
                .build();
    }

    /** The single-object encoding of a pair. */
    public static byte[] encode(EmbeddedPair pair) {
        return CODEC.encode(pair);
    }

    /** The Kafka key of a pair: its id in UTF-8. */
    public static byte[] key(EmbeddedPair pair) {
        return pair.getPair().getId().getBytes(StandardCharsets.UTF_8);
    }

    /** Record id {@code i} as the tests name them. */
    public static String id(int i) {
        return String.format("pair-%06d", i);
    }
}
