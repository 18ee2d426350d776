package dev.kclip.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.fuzz.RecordMutator;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.RejectReason;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.testdata.LabelledPairs;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The trainer's input path ({@link TrainerService#example} and {@link TrainerService#deadLetter}) under hostile
 * records: the poison records of issue 16 and 10,000 seeded records, each valid one followed by a mutated copy.
 */
class TrainerInputFuzzTest {

    private static final AvroCodec<DeadLetter> LETTERS = AvroCodec.forClass(DeadLetter.class);

    @Test
    void everyValidRecordIsAnExampleAndEveryMutatedOneAnExampleOrADeadLetter() throws IOException {
        RecordMutator mutator = new RecordMutator(16);
        Random random = new Random(16);
        List<byte[]> images = List.of(png(4, Color.RED), png(6, Color.BLUE), png(3, Color.GREEN));
        Set<String> codes = Arrays.stream(RejectReason.values()).map(Enum::name).collect(Collectors.toSet());
        int examples = 0;
        int letters = 0;
        for (int i = 0; i < 5_000; i++) {
            float p = random.nextFloat();
            TrainingExample valid = new TrainingExample("pair-" + i, "caption " + i, images.get(i % images.size()),
                    "label " + i % 7, new float[] {random.nextFloat(), random.nextFloat(), 1f}, "onnx-minilm",
                    new float[] {p, 1 - p}, i, new long[0], null);
            byte[] value = LabelledPairs.SERDE.serialize("examples", LabelledPairs.of(valid));
            TrainingExample read = assertAccepted(new ConsumerRecord<>("examples", 0, 2L * i, key(valid), value));
            assertEquals(valid.id(), read.id());
            assertEquals(valid.caption(), read.caption());
            assertArrayEquals(valid.image(), read.image());
            assertArrayEquals(valid.teacher(), read.teacher());
            assertArrayEquals(valid.softLabel(), read.softLabel());
            examples++;

            ConsumerRecord<byte[], byte[]> mutated = new ConsumerRecord<>("examples", 0, 2L * i + 1, key(valid),
                    mutator.mutate(value).bytes());
            try {
                TrainingExample example = TrainerService.example(mutated, "label", null, null);
                assertTrue(example.softLabel().length > 0 && example.teacher().length > 0);
                examples++;
            } catch (InvalidExampleException e) {
                DeadLetter letter = TrainerService.deadLetter(mutated, e);
                assertTrue(codes.contains(letter.getReasonCode()), letter.getReasonCode());
                assertTrue(LETTERS.encode(letter).length <= Topics.MAX_RECORD_BYTES);
                letters++;
            }
        }
        assertEquals(10_000, examples + letters);
        assertTrue(letters > 2_500, letters + " rejected");
    }

    @Test
    void poisonRecordsAreDeadLetteredWithTheirReason() throws IOException {
        TrainingExample good = new TrainingExample("good", "a red square", png(4, Color.RED), "shapes",
                new float[] {0.6f, 0.8f}, "onnx-minilm", new float[] {0.25f, 0.75f}, 3, new long[0], null);
        LabelledPair infinite = LabelledPairs.of(good);
        infinite.setSoftLabel(Float32Vectors.encode(new float[] {Float.POSITIVE_INFINITY, 0f}));
        LabelledPair bomb = LabelledPairs.of(good);
        bomb.getEmbedded().getPair().setImage(ByteBuffer.wrap(pngHeader(30_000, 30_000)));
        LabelledPair notAnImage = LabelledPairs.of(good);
        notAnImage.getEmbedded().getPair().setImage(ByteBuffer.wrap("#!/bin/sh\nrm -rf /\n".getBytes(StandardCharsets.UTF_8)));
        byte[] randomBytes = new byte[200];
        new Random(9).nextBytes(randomBytes);

        assertEquals(RejectReason.BAD_SOFT_LABEL, rejected(encode(infinite)).reason());
        assertEquals(RejectReason.IMAGE_TOO_LARGE, rejected(encode(bomb)).reason());
        assertEquals(RejectReason.BAD_RECORD, rejected(randomBytes).reason());
        InvalidExampleException oneGib = rejected(RecordMutator.declaringFirstString(encode(infinite), 1L << 30));
        assertEquals(RejectReason.BAD_RECORD, oneGib.reason());
        assertTrue(oneGib.getMessage().contains("declares 1073741824 bytes"), oneGib.getMessage());
        assertEquals(RejectReason.BAD_RECORD, rejected(null).reason());
        assertEquals(RejectReason.BAD_RECORD, rejected(new byte[0]).reason());
        byte[] notAnImageBytes = encode(notAnImage);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("examples", 0, 0L, null, notAnImageBytes);
        InvalidExampleException e = assertThrows(InvalidExampleException.class, () -> TrainerService.example(record, "label", null, null));
        assertEquals(RejectReason.UNSUPPORTED_FORMAT, e.reason());
        DeadLetter letter = TrainerService.deadLetter(record, e);
        assertNull(letter.getOriginalValue(), "a non-image does not travel on with its bytes");
        assertTrue(letter.getMessage().contains(notAnImageBytes.length + " bytes left out"), letter.getMessage());
        assertArrayEquals(randomBytes, LETTERS.decode(LETTERS.encode(TrainerService.deadLetter(
                new ConsumerRecord<>("examples", 0, 0L, null, randomBytes), rejected(randomBytes))))
                .getOriginalValue().array(), "other rejects keep their bytes");
    }

    private static TrainingExample assertAccepted(ConsumerRecord<byte[], byte[]> record) {
        try {
            return TrainerService.example(record, "label", null, null);
        } catch (InvalidExampleException e) {
            throw new AssertionError("valid record rejected: " + e.reason() + ": " + e.getMessage(), e);
        }
    }

    private static InvalidExampleException rejected(byte[] value) {
        return assertThrows(InvalidExampleException.class,
                () -> TrainerService.example(new ConsumerRecord<>("examples", 0, 0L, null, value), "label", null, null));
    }

    private static byte[] encode(LabelledPair pair) {
        return LabelledPairs.SERDE.serialize("examples", pair);
    }

    private static byte[] key(TrainingExample example) {
        return example.id().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] png(int size, Color color) throws IOException {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < size; x++) {
            for (int y = 0; y < size; y++) {
                image.setRGB(x, y, color.getRGB());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A PNG signature and IHDR declaring {@code width} x {@code height}, no pixel data. */
    private static byte[] pngHeader(int width, int height) {
        return ByteBuffer.allocate(33).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
                .putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put(new byte[] {8, 2, 0, 0, 0}).putInt(0).array();
    }
}
