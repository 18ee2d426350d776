package dev.kclip.trainer.data;

import dev.kclip.datasets.image.ImageDecoder;
import dev.kclip.datasets.image.ImageRejectedException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decoded images kept for the next time their example is batched or replayed, within a memory budget: the least
 * recently used are evicted first. An image is known by its encoded bytes (the very array its
 * {@link TrainingExample} carries, by identity), so the decode that validated an example on arrival
 * ({@link Examples#fromRecord(dev.kclip.schemas.LabelledPair, String, String, TrainingExample.Source, DecodedImages)})
 * is the one its batches use. Thread-safe: the prefetch workers of {@link BatchAssembler} read and fill it.
 */
public final class DecodedImages {

    /** Bytes in a mebibyte, for budgets given in MB. */
    public static final long MB = 1024L * 1024;

    private static final ImageDecoder DECODER = new ImageDecoder();

    /** Identity of the encoded array: equal bytes of two examples are still two entries, never a wrong image. */
    private record Key(byte[] encoded) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.encoded == encoded;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(encoded);
        }
    }

    private record Entry(BufferedImage image, long bytes) {
    }

    private final long budgetBytes;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    /** @param budgetBytes most bytes of decoded pixels (and their encoded arrays) kept; 0 keeps none */
    public DecodedImages(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("decoded image budget must be ≥ 0");
        }
        this.budgetBytes = budgetBytes;
    }

    /** No budget: for a fixed corpus that fits in memory, trained for many epochs; never for a stream. */
    public static DecodedImages unbounded() {
        return new DecodedImages(Long.MAX_VALUE);
    }

    /**
     * The decoded image of {@code example}: kept, or decoded now (and kept within the budget).
     *
     * @throws InvalidExampleException when the bytes do not decode
     */
    public BufferedImage of(TrainingExample example) throws InvalidExampleException {
        BufferedImage kept = get(example.image());
        if (kept != null) {
            return kept;
        }
        try {
            return put(example.image(), DECODER.decode(example.image()).image());
        } catch (ImageRejectedException e) {
            throw InvalidExampleException.imageRefused(e, example.id());
        }
    }

    /** The image decoded from {@code encoded}, if kept. */
    public synchronized BufferedImage get(byte[] encoded) {
        Entry e = entries.get(new Key(encoded));
        if (e == null) {
            misses++;
            return null;
        }
        hits++;
        return e.image();
    }

    /** Keeps {@code image} as the decoding of {@code encoded}, evicting the least recently used beyond the budget. */
    public synchronized BufferedImage put(byte[] encoded, BufferedImage image) {
        long size = sizeOf(image) + encoded.length;
        if (size > budgetBytes) {
            return image;
        }
        Entry previous = entries.put(new Key(encoded), new Entry(image, size));
        bytes += size - (previous == null ? 0 : previous.bytes());
        Iterator<Map.Entry<Key, Entry>> oldest = entries.entrySet().iterator();
        while (bytes > budgetBytes && oldest.hasNext()) {
            bytes -= oldest.next().getValue().bytes();
            oldest.remove();
        }
        return image;
    }

    /** Bytes kept now (never above {@link #budgetBytes}). */
    public synchronized long bytes() {
        return bytes;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** Images kept now. */
    public synchronized int size() {
        return entries.size();
    }

    /** Lookups that found their image, and those that did not. */
    public synchronized long[] hitsAndMisses() {
        return new long[] {hits, misses};
    }

    /** Bytes of an image's pixel buffer. */
    static long sizeOf(BufferedImage image) {
        DataBuffer buffer = image.getRaster().getDataBuffer();
        return (long) buffer.getSize() * buffer.getNumBanks() * DataBuffer.getDataTypeSize(buffer.getDataType()) / 8;
    }
}
