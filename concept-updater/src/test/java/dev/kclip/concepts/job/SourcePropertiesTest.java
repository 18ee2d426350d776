package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kclip.common.kafka.KafkaConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's Kafka sources keep the user's client properties but not what would break exactly-once. */
class SourcePropertiesTest {

    @Test
    void sourcesReadCommittedWhateverTheClientPropertiesSay(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"),
                "isolation.level=read_uncommitted\nsecurity.protocol=SASL_SSL\nauto.offset.reset=latest\n");
        Properties props = ConceptJob.sourceProperties(KafkaConnection.resolve("k:9092", file, Map.of()), "g");

        assertEquals("read_committed", props.getProperty("isolation.level"));
        assertEquals("SASL_SSL", props.getProperty("security.protocol"), "the rest passes through");
        assertEquals("g", props.getProperty("group.id"));
        assertFalse(props.containsKey("auto.offset.reset"), "where to start is the source's own setting");
    }
}
