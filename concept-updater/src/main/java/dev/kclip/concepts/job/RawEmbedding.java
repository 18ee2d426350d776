package dev.kclip.concepts.job;

/**
 * A record of the input topic exactly as read, before decoding: decoding happens inside the job so a bad record
 * becomes a dead letter instead of failing the source.
 *
 * @param key record key bytes (the pair id), or null
 * @param value record value bytes (an {@code EmbeddedPair}, single-object encoded), or null
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset
 */
public record RawEmbedding(byte[] key, byte[] value, String topic, int partition, long offset) {
}
