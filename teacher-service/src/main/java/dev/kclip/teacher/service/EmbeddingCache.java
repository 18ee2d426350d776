package dev.kclip.teacher.service;

import dev.kclip.teacher.TeacherEmbedding;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Embeddings already computed, keyed by (model id, caption), least recently used evicted first once the cache
 * holds {@code maxBytes}. Captions repeat a lot in image-caption streams ("a photo of a dog"), and a teacher
 * forward pass is the expensive part of the stage. Thread-safe: the service admits captions on one thread while
 * the model thread embeds and caches others.
 */
public final class EmbeddingCache {

    /** Rough per-entry overhead of the map, the key and the embedding objects. */
    private static final long ENTRY_OVERHEAD = 160;

    private record Key(String modelId, String caption) {
    }

    private final long maxBytes;
    private final LinkedHashMap<Key, TeacherEmbedding> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    /** @param maxBytes memory the cache may use; 0 disables it */
    public EmbeddingCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("cache size must not be negative: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The cached embedding, or null. */
    public synchronized TeacherEmbedding get(String modelId, String caption) {
        return entries.get(new Key(modelId, caption));
    }

    /** Remembers {@code embedding}, evicting the least recently used entries to stay within the size. */
    public synchronized void put(String modelId, String caption, TeacherEmbedding embedding) {
        long cost = cost(caption, embedding);
        if (cost > maxBytes) {
            return;
        }
        TeacherEmbedding previous = entries.put(new Key(modelId, caption), embedding);
        bytes += cost - (previous == null ? 0 : cost(caption, previous));
        var it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Map.Entry<Key, TeacherEmbedding> eldest = it.next();
            bytes -= cost(eldest.getKey().caption(), eldest.getValue());
            it.remove();
        }
    }

    private static long cost(String caption, TeacherEmbedding e) {
        return ENTRY_OVERHEAD + 2L * caption.length() + 4L * e.vector().length;
    }

    public synchronized int size() {
        return entries.size();
    }

    /** Memory the entries are estimated to take. */
    public synchronized long bytes() {
        return bytes;
    }
}
