package dev.kclip.schemas;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * A topic of the pipeline: its name, how it is laid out, and the Avro record its values hold.
 *
 * @param name topic name
 * @param partitions partitions to create it with (the unit of parallelism for its consumers)
 * @param config topic-level configuration ({@code cleanup.policy}, {@code retention.ms}, ...)
 * @param valueType the specific record its values are encoded as
 * @param key what the record key holds, for people reading the topic
 * @param description one line saying what flows through it
 */
public record TopicSpec(
        String name,
        int partitions,
        Map<String, String> config,
        Class<? extends SpecificRecord> valueType,
        String key,
        String description) {

    public TopicSpec {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1 for " + name);
        }
        config = Map.copyOf(config);
    }

    /** True when the topic is compacted (only the newest value per key is kept). */
    public boolean compacted() {
        return config.getOrDefault("cleanup.policy", "delete").contains("compact");
    }
}
