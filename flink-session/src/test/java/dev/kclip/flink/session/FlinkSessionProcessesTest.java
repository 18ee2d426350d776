package dev.kclip.flink.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's written configuration and the Flink-only class path of its processes. */
class FlinkSessionProcessesTest {

    @TempDir
    Path dir;

    @Test
    void writesTheSessionConfiguration() throws Exception {
        FlinkSessionSettings settings = FlinkSessionSettings.local(dir, 18081, 16123)
                .withExtra(Map.of("parallelism.default", "2"));
        FlinkSessionProcesses cluster = FlinkSessionProcesses.create(settings);
        List<String> lines = Files.readAllLines(cluster.configDir().resolve("config.yaml"));
        for (String expected : List.of("rest.port: '18081'", "jobmanager.rpc.port: '16123'",
                "taskmanager.numberOfTaskSlots: '2'", "restart-strategy.type: 'exponential-delay'",
                "execution.checkpointing.externalized-checkpoint-retention: 'RETAIN_ON_CANCELLATION'",
                "execution.checkpointing.dir: '" + dir.resolve("checkpoints").toUri() + "'",
                "parallelism.default: '2'")) {
            assertTrue(lines.contains(expected), expected + " in " + lines);
        }
        assertTrue(Files.readString(cluster.configDir().resolve("log4j.properties")).contains("${sys:log.file}"));
    }

    @Test
    void theProcessesClassPathIsFlinkAndLog4jOnly() throws Exception {
        List<String> jars = Arrays.stream(FlinkSessionProcesses.flinkClasspath().split(java.io.File.pathSeparator))
                .map(p -> Path.of(p).getFileName().toString()).toList();
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("flink-runtime-")), jars.toString());
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("log4j-core-")), jars.toString());
        assertFalse(jars.stream().anyMatch(j -> j.startsWith("kclip-") || j.startsWith("kafka-clients")
                || j.startsWith("flink-connector-kafka")), jars.toString());
    }
}
