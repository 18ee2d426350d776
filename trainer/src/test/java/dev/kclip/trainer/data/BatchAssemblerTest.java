package dev.kclip.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.trainer.model.ModelConfig;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.ArrayList;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Examples to a batch: labels padded or masked against the classifier's K, rows in order, augmentation seeded. */
class BatchAssemblerTest {

    private StudentTokenizer tokenizer;
    private BatchAssembler assembler;

    @BeforeEach
    void open() {
        tokenizer = StudentTokenizer.load(ModelConfig.DEFAULT_TOKENIZER, 8);
        assembler = new BatchAssembler(new ImageTransform(8, ImageTransform.Augmentation.DEFAULT), tokenizer);
    }

    @AfterEach
    void close() {
        tokenizer.close();
    }

    private static byte[] png(Color colour) throws IOException {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, 8, 8);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static TrainingExample example(String id, byte[] image, float[] teacher, float[] label) {
        return new TrainingExample(id, "caption of " + id, image, null, teacher, "t", label, 1, new long[0], null);
    }

    @Test
    void labelsOverFewerConceptsArePaddedAndOverMoreAreMaskedOut() throws Exception {
        byte[] red = png(Color.RED);
        List<TrainingExample> examples = List.of(
                example("fewer", red, new float[] {1, 2}, new float[] {0.25f, 0.75f}),
                example("same", red, new float[] {3, 4}, new float[] {0.5f, 0.25f, 0.25f}),
                example("more", red, new float[] {5, 6}, new float[] {0.25f, 0.25f, 0.25f, 0.25f}));
        PreparedBatch batch = assembler.prepare(examples, 3, null);
        assertEquals(3, batch.size());
        assertEquals(List.of("fewer", "same", "more"), batch.ids());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, batch.teacher());
        assertArrayEquals(new float[] {0.25f, 0.75f, 0, 0.5f, 0.25f, 0.25f, 0, 0, 0}, batch.softLabels());
        assertArrayEquals(new float[] {1, 1, 0}, batch.conceptMask());
        assertEquals(3 * 3 * 8 * 8, batch.pixels().length);
        assertEquals(3, batch.tokens().lengths().length);
    }

    @Test
    void augmentationDependsOnlyOnTheRandomSeedAndEvaluationOnNothing() throws Exception {
        byte[] image = png(Color.BLUE);
        BufferedImage split = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 8; x++) {
            for (int y = 0; y < 8; y++) {
                split.setRGB(x, y, x < 3 ? 0xff0000 : (y < 5 ? 0x00ff00 : 0x0000ff));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(split, "png", out);
        List<TrainingExample> examples = List.of(example("a", out.toByteArray(), new float[] {1}, new float[] {1}),
                example("b", image, new float[] {1}, new float[] {1}));
        float[] first = assembler.prepare(examples, 1, 7L).pixels();
        assertArrayEquals(first, assembler.prepare(examples, 1, 7L).pixels(), "same seed, same batch");
        boolean differs = false;
        for (int seed = 8; seed < 12 && !differs; seed++) {
            differs = !Arrays.equals(first, assembler.prepare(examples, 1, (long) seed).pixels());
        }
        assertTrue(differs, "another seed crops or flips differently");
        assertArrayEquals(assembler.prepare(examples, 1, null).pixels(), assembler.prepare(examples, 1, null).pixels());
    }

    /** Images with a few random blocks, so crops and flips show. */
    private static List<TrainingExample> distinctExamples(int n) throws IOException {
        Random random = new Random(3);
        List<TrainingExample> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            for (int b = 0; b < 4; b++) {
                g.setColor(new Color(random.nextInt(0xFFFFFF)));
                g.fillRect(random.nextInt(12), random.nextInt(10), 1 + random.nextInt(6), 1 + random.nextInt(5));
            }
            g.dispose();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            examples.add(example("x" + i, out.toByteArray(), new float[] {i}, new float[] {1}));
        }
        return examples;
    }

    @Test
    void prefetchWorkersAndTheDecodedCacheMakeTheSameBatchesAsTheTrainingThread() throws Exception {
        List<TrainingExample> pool = distinctExamples(10);
        List<TrainingExample> first = pool.subList(0, 6);
        // the next batch: 4 fresh examples announced ahead, then 2 replayed ones that were not
        List<TrainingExample> second = List.of(pool.get(6), pool.get(7), pool.get(8), pool.get(9), pool.get(0), pool.get(3));
        try (BatchAssembler ahead = new BatchAssembler(assembler.images(), tokenizer, new DecodedImages(DecodedImages.MB), 2)) {
            PreparedBatch a = ahead.prepare(first, 1, 41L);
            ahead.prefetch(second.subList(0, 4), 42L);
            PreparedBatch b = ahead.prepare(second, 1, 42L);
            assertEquals(4, ahead.reusedFromPrefetch(), "the 4 announced images came from the prefetch");
            assertArrayEquals(assembler.prepare(first, 1, 41L).pixels(), a.pixels());
            assertArrayEquals(assembler.prepare(second, 1, 42L).pixels(), b.pixels(), "prefetched or not, same pixels");
            assertEquals(b.ids(), assembler.prepare(second, 1, 42L).ids());
            assertArrayEquals(assembler.prepare(second, 1, 42L).teacher(), b.teacher());

            ahead.prefetch(second.subList(0, 4), 43L); // a step that did not apply: the next seed is another
            assertArrayEquals(assembler.prepare(second, 1, 42L).pixels(), ahead.prepare(second, 1, 42L).pixels());
            assertEquals(0, ahead.reusedFromPrefetch(), "another seed renders its own");
            ahead.prefetch(first.subList(0, 2), 44L);
            assertArrayEquals(assembler.prepare(second, 1, 44L).pixels(), ahead.prepare(second, 1, 44L).pixels());
            assertEquals(0, ahead.reusedFromPrefetch(), "a batch that begins with other examples renders its own");
            assertEquals(10, ahead.decoded().size(), "each image decoded once and kept");
        }
    }

    @Test
    void exampleAugmentationDependsOnItsPlaceInTheBatchNotOnTheOthers() throws Exception {
        List<TrainingExample> pool = distinctExamples(4);
        int p = assembler.images().pixels();
        float[] whole = assembler.prepare(pool, 1, 9L).pixels();
        float[] alone = assembler.prepare(List.of(pool.get(0)), 1, 9L).pixels();
        assertArrayEquals(alone, Arrays.copyOfRange(whole, 0, p), "example 0 renders the same with or without the rest");
        float[] swapped = assembler.prepare(List.of(pool.get(1), pool.get(0)), 1, 9L).pixels();
        assertTrue(!Arrays.equals(Arrays.copyOfRange(swapped, p, 2 * p), alone), "index 1 draws another crop");
    }

    @Test
    void aBatchMustBeNonEmptyWithOneTeacherSize() throws Exception {
        byte[] red = png(Color.RED);
        assertThrows(IllegalArgumentException.class, () -> assembler.prepare(List.of(), 2, null));
        List<TrainingExample> mixed = List.of(example("a", red, new float[] {1, 2}, new float[] {1}),
                example("b", red, new float[] {1, 2, 3}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> assembler.prepare(mixed, 1, null));
    }
}
