package dev.kclip.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.LabelledPair;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.apache.avro.io.BinaryData;
import org.junit.jupiter.api.Test;

/**
 * Records whose length fields declare far more than they hold fail as {@link RecordDecodingException}s without the
 * reader allocating what they declare (Avro's own decoder allocates first and finds the bytes missing after).
 */
class DeclaredLengthTest {

    private static final long ONE_GIB = 1L << 30;
    /** Far less than any declared size below, far more than decoding a small record takes. */
    private static final long ALLOCATION_BUDGET = 8L << 20;

    private final AvroCodec<ImageCaptionPair> pairs = AvroCodec.forClass(ImageCaptionPair.class);

    @Test
    void stringDeclaringOneGibibyteIsRejectedWithoutAllocatingIt() {
        // the id is the first field: header, then its length
        byte[] record = withBody(header(pairs.encode(SampleRecords.pair())), zigzag(ONE_GIB), new byte[] {'a', 'b'});
        RecordDecodingException e = rejectedWithin(ALLOCATION_BUDGET, () -> pairs.decode(record));
        assertEquals(RecordDecodingException.Problem.MALFORMED_BODY, e.problem());
        assertTrue(e.getMessage().contains("declares " + ONE_GIB + " bytes"), e.getMessage());
    }

    @Test
    void bytesDeclaringOneGibibyteAreRejectedWithoutAllocatingThem() {
        AvroCodec<EmbeddedPair> codec = AvroCodec.forClass(EmbeddedPair.class);
        byte[] valid = codec.encode(SampleRecords.embedded());
        byte[] pair = pairs.encode(SampleRecords.embedded().getPair());
        // EmbeddedPair = pair body, teacherModelId, embedding (bytes): keep the pair and the model id, lie about the embedding
        int pairBody = pair.length - 10;
        int modelIdLength = 1 + "llama2c:model.bin".length();
        byte[] prefix = Arrays.copyOfRange(valid, 0, 10 + pairBody + modelIdLength);
        byte[] record = withBody(prefix, zigzag(ONE_GIB), new byte[] {1, 2, 3, 4});
        RecordDecodingException e = rejectedWithin(ALLOCATION_BUDGET, () -> codec.decode(record));
        assertTrue(e.getMessage().contains("bytes declares " + ONE_GIB), e.getMessage());
    }

    @Test
    void collectionDeclaringABillionItemsIsRejectedWithoutAllocatingThem() {
        AvroCodec<LabelledPair> codec = AvroCodec.forClass(LabelledPair.class);
        byte[] valid = codec.encode(SampleRecords.labelled());
        // conceptIds is the last field: 3 items (zigzag 6), 3 longs (0, 7, 2 -> 0, 14, 4), end of array (0)
        byte[] tail = {6, 0, 14, 4, 0};
        assertEquals(Arrays.toString(tail), Arrays.toString(Arrays.copyOfRange(valid, valid.length - 5, valid.length)));
        byte[] record = withBody(Arrays.copyOfRange(valid, 0, valid.length - 5), zigzag(1_000_000_000L), new byte[] {2});
        RecordDecodingException e = rejectedWithin(ALLOCATION_BUDGET, () -> codec.decode(record));
        assertTrue(e.getMessage().contains("collection declares 1000000000 items"), e.getMessage());
    }

    @Test
    void negativeLengthIsRejected() {
        byte[] record = withBody(header(pairs.encode(SampleRecords.pair())), zigzag(-5), new byte[8]);
        assertEquals(RecordDecodingException.Problem.MALFORMED_BODY,
                assertThrows(RecordDecodingException.class, () -> pairs.decode(record)).problem());
    }

    @Test
    void overlongVarintIsRejected() {
        byte[] eleven = new byte[11];
        Arrays.fill(eleven, (byte) 0xFF);
        byte[] record = withBody(header(pairs.encode(SampleRecords.pair())), eleven, new byte[0]);
        assertEquals(RecordDecodingException.Problem.MALFORMED_BODY,
                assertThrows(RecordDecodingException.class, () -> pairs.decode(record)).problem());
    }

    private static RecordDecodingException rejectedWithin(long budget, Runnable decode) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        RecordDecodingException e = assertThrows(RecordDecodingException.class, decode::run);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < budget, "decoding allocated " + allocated + " bytes");
        return e;
    }

    private static byte[] header(byte[] record) {
        return Arrays.copyOf(record, 10);
    }

    private static byte[] withBody(byte[] prefix, byte[] length, byte[] rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix);
        out.writeBytes(length);
        out.writeBytes(rest);
        return out.toByteArray();
    }

    /** Avro's encoding of a long (zig-zag varint), as a length or count field. */
    private static byte[] zigzag(long value) {
        byte[] buffer = new byte[10];
        return Arrays.copyOf(buffer, BinaryData.encodeLong(value, buffer, 0));
    }
}
