package dev.kclip.common.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {

    @TempDir
    Path dir;

    @Test
    void bootstrapPrecedenceIsFlagThenFileThenEnvironmentThenDefault() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n");
        Map<String, String> env = Map.of(KafkaConnection.BOOTSTRAP_ENV, "env:9092");

        assertEquals("flag:9092", KafkaConnection.resolve("flag:9092", file, env).bootstrapServers());
        assertEquals("file:9092", KafkaConnection.resolve(null, file, env).bootstrapServers());
        assertEquals("env:9092", KafkaConnection.resolve(null, null, env).bootstrapServers());
        assertEquals("localhost:9092", KafkaConnection.resolve(null, null, Map.of()).bootstrapServers());
    }

    @Test
    void userPropertiesPassThroughUntouchedAndWinOverDefaults() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nisolation.level=read_uncommitted\nacks=1\n");
        KafkaConnection kafka = KafkaConnection.resolve(null, file, Map.of());

        assertEquals("SASL_SSL", kafka.consumer("g").getProperty("security.protocol"));
        assertEquals("SASL_SSL", kafka.producer().getProperty("security.protocol"));
        assertEquals("read_uncommitted", kafka.consumer("g").getProperty("isolation.level"), "the user's choice stands");
        assertEquals("1", kafka.producer().getProperty("acks"));
        assertEquals("g", kafka.consumer("g").getProperty("group.id"));
        assertEquals("read_committed", KafkaConnection.to("x:1").consumer("g").getProperty("isolation.level"));
    }

    @Test
    void exactlyOnceConsumersReadCommittedAndNeverAutoCommitWhateverTheUserSays() throws Exception {
        Path file = dir.resolve("hostile.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nisolation.level=read_uncommitted\nenable.auto.commit=true\n");
        Properties props = KafkaConnection.resolve(null, file, Map.of()).exactlyOnceConsumer("g");

        assertEquals("read_committed", props.getProperty("isolation.level"));
        assertEquals("false", props.getProperty("enable.auto.commit"));
        assertEquals("SASL_SSL", props.getProperty("security.protocol"), "the rest passes through");
        assertEquals("g", props.getProperty("group.id"));
    }

    @Test
    void unreadableConfigFileIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaConnection.resolve(null, dir.resolve("missing.properties"), Map.of()));
        assertEquals(true, e.getMessage().startsWith("cannot read Kafka client config"));
    }
}
