package dev.kclip.trainer.data;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decodes, augments and tokenises a list of examples into a {@link PreparedBatch}.
 *
 * <p>Images come from a {@link DecodedImages} cache (decoded on a miss, kept within its budget). With prefetch
 * workers, each image of a batch is decoded and augmented on a worker pool, and {@link #prefetch} starts on the
 * examples the next batch begins with while the current step trains; with none (0), everything runs on the calling
 * thread, as before there were workers. Either way a batch is the same: example {@code i} of a batch augmented
 * with seed {@code s} draws from its own generator made from {@code (s, i)}, whoever renders it.
 *
 * <p>Back-pressure: the pool's queue is bounded, and a task that does not fit runs on the caller; at most one
 * batch is prefetched (a new prefetch drops the previous one). When a batch is prepared, the caller renders every
 * image no worker has started yet itself, so a busy machine makes prefetch no slower than the training thread alone.
 */
public final class BatchAssembler implements AutoCloseable {

    /** Queued image tasks before the caller renders them itself. */
    private static final int QUEUE_CAPACITY = 1024;

    private final ImageTransform images;
    private final StudentTokenizer tokenizer;
    private final DecodedImages decoded;
    /** Null: on the calling thread. */
    private final ThreadPoolExecutor workers;
    private Prefetched prefetched;
    private int reusedFromPrefetch;

    /** Images of the first examples of an upcoming batch, being rendered with {@code seed}. */
    private record Prefetched(long seed, List<byte[]> images, List<Future<float[]>> pixels) {
    }

    /** Decodes every image each time it is batched, on the calling thread. */
    public BatchAssembler(ImageTransform images, StudentTokenizer tokenizer) {
        this(images, tokenizer, new DecodedImages(0), 0);
    }

    /**
     * @param decoded where decoded images are kept between batches (a budget of 0 decodes each time)
     * @param prefetchWorkers threads that decode and augment ahead of the step; 0 renders on the calling thread
     */
    public BatchAssembler(ImageTransform images, StudentTokenizer tokenizer, DecodedImages decoded, int prefetchWorkers) {
        if (prefetchWorkers < 0) {
            throw new IllegalArgumentException("prefetch workers must be ≥ 0");
        }
        this.images = images;
        this.tokenizer = tokenizer;
        this.decoded = decoded;
        this.workers = prefetchWorkers == 0 ? null : pool(prefetchWorkers);
    }

    private static ThreadPoolExecutor pool(int threads) {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE_CAPACITY), task -> {
                    Thread t = new Thread(task, "kclip-batch-prefetch-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    public ImageTransform images() {
        return images;
    }

    public StudentTokenizer tokenizer() {
        return tokenizer;
    }

    public DecodedImages decoded() {
        return decoded;
    }

    /**
     * Prepares {@code examples} for a classifier of {@code concepts} concepts, using what {@link #prefetch} rendered
     * for the same leading examples and seed.
     *
     * @param augmentationSeed seed of the training augmentation, or null for the deterministic evaluation transform
     * @throws InvalidExampleException when an image no longer decodes (examples are checked on arrival)
     */
    public PreparedBatch prepare(List<TrainingExample> examples, int concepts, Long augmentationSeed)
            throws InvalidExampleException {
        int n = examples.size();
        if (n == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        int teacherDim = examples.get(0).teacher().length;
        List<Future<float[]>> rendered = render(examples, augmentationSeed);
        float[] pixels = new float[n * images.pixels()];
        float[] teacher = new float[n * teacherDim];
        float[] softLabels = new float[n * concepts];
        float[] mask = new float[n];
        List<String> captions = new ArrayList<>(n);
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TrainingExample e = examples.get(i);
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
        StudentTokenizer.Tokens tokens = tokenizer.encode(captions);
        for (int i = 0; i < n; i++) {
            System.arraycopy(await(rendered.get(i)), 0, pixels, i * images.pixels(), images.pixels());
        }
        return new PreparedBatch(n, pixels, tokens, teacher, softLabels, concepts, mask, ids);
    }

    /**
     * Starts rendering {@code upcoming}, the examples the next batch begins with, augmented with
     * {@code augmentationSeed}, on the workers (without workers: nothing). A batch that does not begin with them, or
     * has another seed, renders its own.
     */
    public void prefetch(List<TrainingExample> upcoming, long augmentationSeed) {
        if (workers == null || upcoming.isEmpty()) {
            return;
        }
        dropPrefetched();
        List<byte[]> encoded = new ArrayList<>(upcoming.size());
        List<Future<float[]>> pixels = new ArrayList<>(upcoming.size());
        for (int i = 0; i < upcoming.size(); i++) {
            encoded.add(upcoming.get(i).image());
            pixels.add(submit(upcoming.get(i), augmentationSeed, i));
        }
        prefetched = new Prefetched(augmentationSeed, encoded, pixels);
    }

    /** Each example's pixels: prefetched, submitted to the workers, or rendered here. */
    private List<Future<float[]>> render(List<TrainingExample> examples, Long seed) throws InvalidExampleException {
        Prefetched ahead = prefetched;
        prefetched = null;
        boolean sameSeed = ahead != null && seed != null && ahead.seed() == seed;
        List<Future<float[]>> out = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            TrainingExample e = examples.get(i);
            if (sameSeed && i < ahead.images().size() && ahead.images().get(i) == e.image()) {
                out.add(ahead.pixels().get(i));
            } else if (workers != null) {
                out.add(submit(e, seed, i));
            } else {
                out.add(CompletableFuture.completedFuture(pixels(e, seed, i)));
            }
        }
        if (ahead != null) {
            ahead.pixels().stream().filter(f -> !out.contains(f)).forEach(f -> f.cancel(false));
        }
        reusedFromPrefetch = ahead == null ? 0 : (int) ahead.pixels().stream().filter(out::contains).count();
        return out;
    }

    /** How many images of the last prepared batch its prefetch had rendered. */
    int reusedFromPrefetch() {
        return reusedFromPrefetch;
    }

    private Future<float[]> submit(TrainingExample e, Long seed, int index) {
        return workers.submit(() -> pixels(e, seed, index));
    }

    /** One example's image as the student's input: example {@code index} of a batch augmented with {@code seed}. */
    private float[] pixels(TrainingExample e, Long seed, int index) throws InvalidExampleException {
        BufferedImage image = decoded.of(e);
        float[] out = new float[images.pixels()];
        if (seed == null) {
            images.eval(image, out, 0);
        } else {
            images.train(image, exampleRandom(seed, index), out, 0);
        }
        return out;
    }

    /** The augmentation randomness of example {@code index}: independent of who renders it and in which order. */
    static Random exampleRandom(long seed, int index) {
        return new Random(new SplittableRandom(seed * 1_000_003L + index).nextLong());
    }

    /** The pixels of {@code future}; rendered here when no worker has started it, so waiting never idles the caller. */
    private static float[] await(Future<float[]> future) throws InvalidExampleException {
        if (future instanceof RunnableFuture<float[]> task) {
            task.run(); // a no-op when a worker runs or ran it
        }
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InvalidExampleException invalid) {
                throw invalid;
            }
            throw new IllegalStateException("preparing an image failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing a batch", e);
        }
    }

    private void dropPrefetched() {
        if (prefetched != null) {
            prefetched.pixels().forEach(f -> f.cancel(false));
            prefetched = null;
        }
    }

    /** Stops the workers (a prefetched batch is dropped). */
    @Override
    public void close() {
        dropPrefetched();
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
