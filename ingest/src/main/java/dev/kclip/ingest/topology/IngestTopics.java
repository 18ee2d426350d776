package dev.kclip.ingest.topology;

import dev.kclip.schemas.Topics;

/**
 * The topics the ingest topology reads and writes.
 *
 * @param input raw pairs as producers send them
 * @param output validated, normalised, de-duplicated pairs
 * @param deadLetters rejected records with the reason
 */
public record IngestTopics(String input, String output, String deadLetters) {

    /** The catalog's {@code kclip.pairs.raw} → {@code kclip.pairs}, dead letters to {@code kclip.pairs.dlq}. */
    public static final IngestTopics CATALOG =
            new IngestTopics(Topics.PAIRS_RAW.name(), Topics.PAIRS.name(), Topics.DEAD_LETTERS.name());

    public IngestTopics {
        for (String topic : new String[] {input, output, deadLetters}) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("ingest topic names must not be blank: " + input + ", " + output
                        + ", " + deadLetters);
            }
        }
    }
}
