package dev.kclip.concepts.stream;

import dev.kclip.schemas.EmbeddedPair;

/**
 * A decoded, validated embedding on its way to the concept model, with where it was read (for dead letters).
 *
 * @param pair the record
 * @param sourceTopic topic it was read from
 * @param sourcePartition partition it was read from
 * @param sourceOffset offset it was read at
 */
public record EmbeddingInput(EmbeddedPair pair, String sourceTopic, int sourcePartition, long sourceOffset) {
}
