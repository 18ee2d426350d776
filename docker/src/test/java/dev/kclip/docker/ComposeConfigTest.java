package dev.kclip.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker/compose.yaml as Docker Compose itself reads it ({@code config}: schema, interpolation, profiles), with
 * {@code docker-compose} (1.x) or the {@code docker compose} plugin, whichever is installed; skipped when neither is.
 */
class ComposeConfigTest {

    private static final Path ROOT = Path.of(System.getProperty("kclip.root", ".."));

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void composeAcceptsTheFileWithEachProfile(String profile) throws Exception {
        Result result = compose(Map.of("KCLIP_INGEST_TOKEN", "a-token"), "--profile", profile, "config", "-q");
        assertEquals(0, result.exit(), result.output());
    }

    @Test
    void composeAcceptsTheAdditionsForNoFlinkClusterAndNoRegistry() throws Exception {
        Result result = compose(Map.of("KCLIP_INGEST_TOKEN", "a-token"),
                "-f", ROOT.resolve("docker/compose.concepts.yaml").toString(),
                "-f", ROOT.resolve("docker/compose.kclip-broker.yaml").toString(), "--profile", "cpu", "config");
        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("image: kclip/concept-updater:latest"), result.output());
        assertTrue(result.output().contains("image: kclip/kafka:latest"), result.output());
    }

    @Test
    void composeRefusesToRunWithoutTheIngestToken() throws Exception {
        Result result = compose(Map.of(), "--profile", "cpu", "config", "-q");
        assertNotEquals(0, result.exit(), "the HTTP intake must not start with a default token");
        assertTrue(result.output().contains("KCLIP_INGEST_TOKEN"), result.output());
    }

    private record Result(int exit, String output) { }

    private static Result compose(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(composeCommand());
        command.addAll(List.of("-f", ROOT.resolve("docker/compose.yaml").toString()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().remove("KCLIP_INGEST_TOKEN");
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "compose did not finish");
        return new Result(process.exitValue(), output);
    }

    /** {@code docker-compose} when it is on the PATH, else {@code docker compose} when that plugin answers. */
    private static List<String> composeCommand() throws IOException, InterruptedException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "docker-compose"))) {
                return List.of("docker-compose");
            }
        }
        try {
            Process plugin = new ProcessBuilder("docker", "compose", "version").redirectErrorStream(true).start();
            plugin.getInputStream().readAllBytes();
            if (plugin.waitFor(30, TimeUnit.SECONDS) && plugin.exitValue() == 0) {
                return List.of("docker", "compose");
            }
        } catch (IOException e) {
            // no docker command at all
        }
        Assumptions.abort("neither docker-compose nor the docker compose plugin is installed");
        return List.of();
    }
}
