package dev.kclip.trainer.data;

import dev.kclip.datasets.image.ImageDecoder;
import dev.kclip.datasets.image.ImageRejectedException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Decodes, augments and tokenises a list of examples into a {@link PreparedBatch}. */
public final class BatchAssembler {

    private static final ImageDecoder IMAGES = new ImageDecoder();

    private final ImageTransform images;
    private final StudentTokenizer tokenizer;
    /** Decoded images by example id, when kept (a fixed corpus trained for epochs); null on a stream. */
    private final Map<String, BufferedImage> decoded;

    public BatchAssembler(ImageTransform images, StudentTokenizer tokenizer) {
        this(images, tokenizer, null);
    }

    private BatchAssembler(ImageTransform images, StudentTokenizer tokenizer, Map<String, BufferedImage> decoded) {
        this.images = images;
        this.tokenizer = tokenizer;
        this.decoded = decoded;
    }

    /**
     * The same assembler keeping every image it decodes, by example id, so a corpus replayed for many epochs is
     * decoded once. Unbounded: for a fixed corpus that fits in memory, never for a stream.
     */
    public BatchAssembler keepingDecodedImages() {
        return new BatchAssembler(images, tokenizer, new HashMap<>());
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
            BufferedImage image = decoded == null ? null : decoded.get(e.id());
            if (image == null) {
                try {
                    image = IMAGES.decode(e.image()).image();
                } catch (ImageRejectedException rejected) {
                    throw InvalidExampleException.imageRefused(rejected, e.id());
                }
                if (decoded != null) {
                    decoded.put(e.id(), image);
                }
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
