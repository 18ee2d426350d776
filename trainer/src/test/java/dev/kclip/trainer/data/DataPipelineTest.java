package dev.kclip.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.datasets.image.ImageDecoder;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.testdata.LabelledPairs;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Decoding, augmentation, tokenisation, validation, the held-out split and the replay reservoir. */
class DataPipelineTest {

    private static final ImageDecoder DECODER = new ImageDecoder();

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    static BufferedImage solid(int size, Color color, int type) {
        BufferedImage image = new BufferedImage(size, size, type);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, size, size);
        g.dispose();
        return image;
    }

    @Test
    void evalTransformNormalisesWithClipsMeanAndStd() throws Exception {
        BufferedImage red = DECODER.decode(encode(solid(10, Color.RED, BufferedImage.TYPE_INT_RGB), "png")).image();
        ImageTransform transform = new ImageTransform(4, ImageTransform.Augmentation.NONE);
        float[] out = new float[transform.pixels()];
        transform.eval(red, out, 0);
        for (int i = 0; i < 16; i++) {
            assertEquals((1 - 0.48145466f) / 0.26862954f, out[i], 1e-4f);
            assertEquals((0 - 0.4578275f) / 0.26130258f, out[16 + i], 1e-4f);
            assertEquals((0 - 0.40821073f) / 0.27577711f, out[32 + i], 1e-4f);
        }
    }

    @Test
    void jpegDecodesAndTransparentPixelsBecomeWhite() throws Exception {
        BufferedImage clear = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        BufferedImage decoded = DECODER.decode(encode(clear, "png")).image();
        assertEquals(0xFFFFFF, decoded.getRGB(3, 3) & 0xFFFFFF);
        BufferedImage blue = DECODER.decode(encode(solid(16, Color.BLUE, BufferedImage.TYPE_INT_RGB), "jpg")).image();
        assertTrue((blue.getRGB(8, 8) & 0xFF) > 200, "JPEG blue channel");
    }

    @Test
    void aCertainFlipMirrorsTheImage() throws Exception {
        BufferedImage halves = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = halves.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(4, 0, 4, 8);
        g.dispose();
        ImageTransform flipping = new ImageTransform(8, new ImageTransform.Augmentation(1.0, 1.0, 1.0));
        float[] out = new float[flipping.pixels()];
        flipping.train(halves, new Random(1), out, 0);
        float white = (1 - 0.48145466f) / 0.26862954f;
        assertEquals(white, out[0], 1e-3f, "the white right half is now on the left");
        assertTrue(out[7] < 0, "and the black left half on the right");
    }

    @Test
    void randomCropsStayWithinTheImageAndVary() throws Exception {
        BufferedImage gradient = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 32; x++) {
            for (int y = 0; y < 32; y++) {
                gradient.setRGB(x, y, new Color(x * 8, y * 8, 0).getRGB());
            }
        }
        ImageTransform transform = new ImageTransform(16, new ImageTransform.Augmentation(0.3, 1.0, 0.0));
        Random random = new Random(4);
        Set<Float> corners = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            float[] out = new float[transform.pixels()];
            transform.train(gradient, random, out, 0);
            corners.add(out[0]);
        }
        assertTrue(corners.size() > 3, "crops start at different places: " + corners);
    }

    @Test
    void captionsTokeniseWithTheirSpecialTokensAndPadAfterTheEnd() {
        try (StudentTokenizer tokenizer = StudentTokenizer.load(ModelConfig.DEFAULT_TOKENIZER, 8)) {
            assertEquals(30522, tokenizer.vocabularySize());
            assertEquals(101, tokenizer.startTokenId());
            assertEquals(102, tokenizer.endTokenId());
            StudentTokenizer.Tokens t = tokenizer.encode(List.of("red apple",
                    "a very long caption that must be truncated to the context length"));
            assertEquals(8, t.length(), "no longer than the context, not padded to the file's 128");
            assertEquals(4, t.lengths()[0]);
            assertEquals(8, t.lengths()[1]);
            assertEquals(101, t.ids()[0]);
            assertEquals(102, t.ids()[3]);
            assertEquals(0, t.ids()[4], "padding after the end token");
            assertEquals(102, t.ids()[15], "truncation keeps the end token");
            assertEquals("apple", tokenizer.tokenTexts()[(int) t.ids()[2]]);
        }
    }

    @Test
    void theHeldOutSplitIsDeterministicAndHasItsShare() {
        HeldOutSplit split = new HeldOutSplit(0.2);
        int held = 0;
        for (int i = 0; i < 20_000; i++) {
            if (split.isHeldOut("pair-" + i)) {
                held++;
            }
        }
        assertEquals(0.2, held / 20_000.0, 0.01);
        assertEquals(split.isHeldOut("pair-7"), new HeldOutSplit(0.2).isHeldOut("pair-7"));
        assertTrue(!new HeldOutSplit(0).isHeldOut("pair-7"));
    }

    @Test
    void theReservoirKeepsAUniformSampleOfEverythingOffered() {
        ReplayReservoir<Integer> reservoir = new ReplayReservoir<>(1000, new Random(3));
        for (int i = 0; i < 20_000; i++) {
            reservoir.offer(i);
        }
        assertEquals(1000, reservoir.size());
        assertEquals(20_000, reservoir.seen());
        List<Integer> all = reservoir.sample(1000);
        double mean = all.stream().mapToInt(Integer::intValue).average().orElseThrow();
        // uniform over 0..19999: mean 9999.5, standard error ≈ 5774/√1000 ≈ 183
        assertEquals(9999.5, mean, 600);
        long early = all.stream().filter(i -> i < 10_000).count();
        assertEquals(500, early, 60, "as many from the first half as from the second");
        assertEquals(10, new HashSet<>(reservoir.sample(10)).size(), "a sample has no repeats");
    }

    @Test
    void recordsThatCannotBeTrainedOnAreRejectedWithAReason() throws Exception {
        TrainingExample good = greenSquare();
        LabelledPair record = LabelledPairs.of(good);
        TrainingExample read = Examples.fromRecord(record, "label", null);
        assertEquals("green square", read.caption());
        assertEquals("shapes", read.label());
        assertEquals(1, read.topConcept());
        assertArrayEquals(new float[] {0.6f, 0.8f}, read.teacher());

        assertEquals(RejectReason.BAD_SOFT_LABEL, reason(LabelledPairs.of(good,
                new float[] {0.5f, 0.6f}, 3)));
        LabelledPair wrongDim = LabelledPairs.of(good);
        wrongDim.getEmbedded().setDim(3);
        assertEquals(RejectReason.BAD_TEACHER_VECTOR, reason(wrongDim));
        LabelledPair notFinite = LabelledPairs.of(good);
        notFinite.getEmbedded().setEmbedding(Float32Vectors.encode(new float[] {Float.NaN, 1}));
        assertEquals(RejectReason.BAD_TEACHER_VECTOR, reason(notFinite));
        LabelledPair empty = LabelledPairs.of(good);
        empty.getEmbedded().getPair().setCaption(" ");
        assertEquals(RejectReason.EMPTY_CAPTION, reason(empty));
        LabelledPair broken = LabelledPairs.of(good);
        broken.getEmbedded().getPair().setImage(ByteBuffer.wrap(new byte[] {9, 9, 9}));
        assertEquals(RejectReason.UNSUPPORTED_FORMAT, reason(broken));
        LabelledPair idsOfAnotherK = LabelledPairs.of(good, good.softLabel(), 3, List.of(7L, 8L, 9L));
        assertEquals(RejectReason.BAD_SOFT_LABEL, reason(idsOfAnotherK));
        LabelledPair bomb = LabelledPairs.of(good);
        bomb.getEmbedded().getPair().setImage(ByteBuffer.wrap(pngDeclaring(100_000, 100_000)));
        InvalidExampleException refused = assertThrows(InvalidExampleException.class, () -> Examples.fromRecord(bomb, "label", null));
        assertEquals(RejectReason.IMAGE_TOO_LARGE, refused.reason());
        assertTrue(refused.getMessage().contains("10,000,000,000 pixels, more than the"),
                "refused from its header, before decoding: " + refused.getMessage());
    }

    /** The first bytes of a PNG whose header declares {@code width} x {@code height} (a decompression bomb's). */
    private static byte[] pngDeclaring(int width, int height) {
        return ByteBuffer.allocate(33).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
                .putInt(13).put(new byte[] {'I', 'H', 'D', 'R'}).putInt(width).putInt(height)
                .put(new byte[] {8, 6, 0, 0, 0}).array();
    }

    @Test
    void conceptIdsAreReadAndDefaultToTheIndices() throws Exception {
        TrainingExample good = greenSquare();
        TrainingExample named = Examples.fromRecord(LabelledPairs.of(good, good.softLabel(), 3, List.of(40L, 41L)),
                "label", null);
        assertArrayEquals(new long[] {40, 41}, named.conceptIds());
        assertEquals(41, named.conceptId(1));
        TrainingExample old = Examples.fromRecord(LabelledPairs.of(good), "label", null);
        assertEquals(0, old.conceptIds().length);
        assertEquals(1, old.conceptId(1), "without ids, a concept's id is its index");
    }

    @Test
    void zeroShotLabelsComeFromTheLabelOrANamedAttribute() throws Exception {
        TrainingExample good = greenSquare();
        LabelledPair record = LabelledPairs.of(good);
        record.getEmbedded().getPair().setAttributes(Map.of("category", "geometry"));
        assertEquals("shapes", Examples.fromRecord(record, "label", null).label());
        assertEquals("geometry", Examples.fromRecord(record, "category", null).label());
        assertNull(Examples.fromRecord(record, "colour", null).label(), "an attribute the pair lacks: no label");
        TrainingExample.Source at = new TrainingExample.Source("t", 2, 17);
        assertEquals(at, Examples.fromRecord(record, "label", at).source());
    }

    @Test
    void theBucketComesFromTheLabelOrANamedAttribute() throws Exception {
        LabelledPair record = LabelledPairs.of(greenSquare());
        record.getEmbedded().getPair().setAttributes(Map.of("category", "geometry"));
        assertNull(Examples.fromRecord(record, "label", null).bucket(), "no bucket field: no bucket");
        assertEquals("geometry", Examples.fromRecord(record, "label", "category", null).bucket());
        assertEquals("shapes", Examples.fromRecord(record, "category", "label", null).bucket());
        assertEquals(Examples.NO_BUCKET, Examples.fromRecord(record, "label", "month", null).bucket(),
                "a pair without the field has a bucket of its own");
    }

    /** A valid example: a green PNG, a 2-d teacher vector, a label over two concepts of version 3. */
    private static TrainingExample greenSquare() throws IOException {
        byte[] png = encode(solid(8, Color.GREEN, BufferedImage.TYPE_INT_RGB), "png");
        return new TrainingExample("id", "green square", png, "shapes", new float[] {0.6f, 0.8f}, "onnx-minilm",
                new float[] {0.25f, 0.75f}, 3, new long[0], null);
    }

    private static RejectReason reason(LabelledPair record) {
        return assertThrows(InvalidExampleException.class, () -> Examples.fromRecord(record, "label", null)).reason();
    }
}
