package dev.kclip.trainer.data;

import dev.kclip.datasets.image.ImageDecoder;
import dev.kclip.datasets.image.ImageRejectedException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Decodes, augments and tokenises a list of examples into a {@link PreparedBatch}. */
public final class BatchAssembler {

    private static final ImageDecoder IMAGES = new ImageDecoder();

    private final ImageTransform images;
    private final StudentTokenizer tokenizer;

    public BatchAssembler(ImageTransform images, StudentTokenizer tokenizer) {
        this.images = images;
        this.tokenizer = tokenizer;
    }

    public ImageTransform images() {
        return images;
    }

    public StudentTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Prepares {@code examples} for a classifier of {@code concepts} concepts.
     *
     * @param random augmentation randomness, or null for the deterministic evaluation transform
     * @throws InvalidExampleException when an image no longer decodes (examples are checked on arrival)
     */
    public PreparedBatch prepare(List<TrainingExample> examples, int concepts, Random random) throws InvalidExampleException {
        int n = examples.size();
        if (n == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        int teacherDim = examples.get(0).teacher().length;
        float[] pixels = new float[n * images.pixels()];
        float[] teacher = new float[n * teacherDim];
        float[] softLabels = new float[n * concepts];
        float[] mask = new float[n];
        List<String> captions = new ArrayList<>(n);
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TrainingExample e = examples.get(i);
            BufferedImage image;
            try {
                image = IMAGES.decode(e.image()).image();
            } catch (ImageRejectedException rejected) {
                throw InvalidExampleException.undecodable(rejected, e.id());
            }
            if (random == null) {
                images.eval(image, pixels, i * images.pixels());
            } else {
                images.train(image, random, pixels, i * images.pixels());
            }
            if (e.teacher().length != teacherDim) {
                throw new IllegalArgumentException("teacher vectors of one batch differ in size: "
                        + teacherDim + " and " + e.teacher().length);
            }
            System.arraycopy(e.teacher(), 0, teacher, i * teacherDim, teacherDim);
            // concept ids are stable: a label over fewer concepts is the same distribution with 0 for the new ones
            if (e.conceptCount() <= concepts) {
                System.arraycopy(e.softLabel(), 0, softLabels, i * concepts, e.conceptCount());
                mask[i] = 1f;
            }
            captions.add(e.caption());
            ids.add(e.id());
        }
        return new PreparedBatch(n, pixels, tokenizer.encode(captions), teacher, softLabels, concepts, mask, ids);
    }
}
