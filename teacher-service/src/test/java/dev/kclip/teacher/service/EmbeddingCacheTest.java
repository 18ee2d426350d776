package dev.kclip.teacher.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kclip.teacher.TeacherEmbedding;
import org.junit.jupiter.api.Test;

class EmbeddingCacheTest {

    private static TeacherEmbedding vector(int dim) {
        return new TeacherEmbedding(new float[dim], 3, false);
    }

    @Test
    void keysAreModelAndCaption() {
        EmbeddingCache cache = new EmbeddingCache(1 << 20);
        cache.put("m1", "a dog", vector(4));
        assertNotNull(cache.get("m1", "a dog"));
        assertNull(cache.get("m2", "a dog"));
        assertNull(cache.get("m1", "a cat"));
    }

    @Test
    void theLeastRecentlyUsedEntriesGoFirstOnceFull() {
        // each entry: 160 overhead + 2 × 1 char + 4 × 10 floats = 202 bytes; room for 3
        EmbeddingCache cache = new EmbeddingCache(3 * 202);
        cache.put("m", "a", vector(10));
        cache.put("m", "b", vector(10));
        cache.put("m", "c", vector(10));
        cache.get("m", "a");                 // a is now more recent than b
        cache.put("m", "d", vector(10));
        assertNull(cache.get("m", "b"));
        assertNotNull(cache.get("m", "a"));
        assertNotNull(cache.get("m", "c"));
        assertNotNull(cache.get("m", "d"));
        assertEquals(3, cache.size());
        assertEquals(3 * 202, cache.bytes());
    }

    @Test
    void sizeZeroDisablesIt() {
        EmbeddingCache cache = new EmbeddingCache(0);
        cache.put("m", "a", vector(4));
        assertNull(cache.get("m", "a"));
        assertEquals(0, cache.size());
    }
}
