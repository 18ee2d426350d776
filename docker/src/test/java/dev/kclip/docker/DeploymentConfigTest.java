package dev.kclip.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kclip.common.cli.EnvironmentDefaults;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.ingest.cli.IngestCommand;
import dev.kclip.launcher.Kclip;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The images and the compose file are configured only through KCLIP_* variables, which the CLI reads as option
 * defaults ({@link EnvironmentDefaults}): a misspelt variable would be ignored silently. These tests hold every
 * variable a Dockerfile or compose.yaml sets to an option of the command that container runs.
 */
class DeploymentConfigTest {

    private static final Path DOCKER = Path.of(System.getProperty("kclip.root", "..")).resolve("docker");
    private static final List<String> SERVICE_IMAGES = List.of("kafka", "ingest", "teacher", "concept-updater", "trainer");

    @Test
    void everyVariableAServiceImageSetsIsAnOptionOfItsCommand() {
        for (String image : SERVICE_IMAGES) {
            Dockerfile dockerfile = Dockerfile.read(DOCKER.resolve(image).resolve("Dockerfile"));
            assertFalse(dockerfile.cmd().isEmpty(), image + " has no CMD");
            CommandSpec command = kclipCommand(dockerfile.cmd());
            assertUnknownVariables(image + "/Dockerfile", command, dockerfile.env());
        }
    }

    @Test
    void everyServiceAnswersTheRuntimeHealthCheckOnTheMetricsPortItIsGiven() {
        Dockerfile runtime = Dockerfile.read(DOCKER.resolve("runtime/Dockerfile"));
        assertTrue(runtime.healthCheck(), "runtime image has a HEALTHCHECK");
        assertTrue(runtime.env().containsAll(Set.of("KCLIP_METRICS_PORT", "KCLIP_METRICS_BIND", KafkaConnection.BOOTSTRAP_ENV,
                "KCLIP_JAVA_OPTS")), "runtime image sets the metrics port and address, the brokers and the JVM options: "
                + runtime.env());
        assertTrue(Dockerfile.read(DOCKER.resolve("ingest/Dockerfile")).env().contains("KCLIP_HTTP_BIND"),
                "the ingest image binds its published intake port on every interface (outside containers: 127.0.0.1)");
        for (String image : SERVICE_IMAGES) {
            Dockerfile dockerfile = Dockerfile.read(DOCKER.resolve(image).resolve("Dockerfile"));
            if (dockerfile.healthCheck()) {
                continue; // its own check (the broker: its client port)
            }
            CommandSpec command = kclipCommand(dockerfile.cmd());
            assertTrue(variables(command).contains("KCLIP_METRICS_PORT"),
                    image + ": `kclip " + String.join(" ", dockerfile.cmd()) + "` has no --metrics-port, so the runtime's"
                            + " health check could not reach it");
        }
        assertTrue(Dockerfile.read(DOCKER.resolve("kafka/Dockerfile")).healthCheck(), "broker image checks its port");
    }

    @Test
    void everyVariableComposeSetsIsAnOptionOfTheServicesCommand() throws IOException {
        Map<String, Map<String, Object>> services = composeServices();
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> entry : services.entrySet()) {
            String name = entry.getKey();
            Map<String, Object> service = entry.getValue();
            Set<String> kclipVariables = new TreeSet<>();
            for (String variable : environment(service).keySet()) {
                if (variable.startsWith("KCLIP_")) {
                    kclipVariables.add(variable);
                }
            }
            if (kclipVariables.isEmpty()) {
                continue;
            }
            assertUnknownVariables("compose service " + name, commandOf(name, service), kclipVariables);
            checked.add(name);
        }
        assertTrue(checked.containsAll(List.of("topics", "ingest", "teacher-cpu", "teacher-gpu", "jobmanager", "concepts",
                "trainer-cpu", "trainer-gpu")), "checked " + checked);
    }

    @Test
    void gpuServicesRunTheCudaImagesOnOneGpuEachAndCpuServicesNone() throws IOException {
        Map<String, Map<String, Object>> services = composeServices();
        for (String part : List.of("teacher", "trainer")) {
            Map<String, Object> gpu = services.get(part + "-gpu");
            Map<String, Object> cpu = services.get(part + "-cpu");
            assertNotNull(gpu, part + "-gpu");
            assertNotNull(cpu, part + "-cpu");
            assertEquals(List.of("gpu"), gpu.get("profiles"));
            assertEquals(List.of("cpu"), cpu.get("profiles"));
            assertEquals("kclip/" + part + ":cuda", gpu.get("image"));
            assertEquals("kclip/" + part + ":latest", cpu.get("image"));
            assertEquals("${KCLIP_" + part.toUpperCase(java.util.Locale.ROOT) + "_DEVICE:-gpu}",
                    environment(gpu).get("KCLIP_DEVICE"), "gpu unless told which card, as kclip up's --" + part + "-device");
            assertNull(environment(cpu).get("KCLIP_DEVICE"), part + "-cpu runs on the CPU by default");
            assertNull(cpu.get("deploy"), part + "-cpu reserves no device");
            List<Map<String, Object>> devices = path(gpu, "deploy", "resources", "reservations", "devices");
            assertEquals(1, devices.size(), part + "-gpu reserves one device entry");
            assertEquals("nvidia", devices.get(0).get("driver"));
            assertEquals(1, devices.get(0).get("count"));
            assertEquals(List.of("gpu"), devices.get(0).get("capabilities"));
        }
    }

    /** Fails naming every variable that is no option of {@code command}. */
    private static void assertUnknownVariables(String where, CommandSpec command, Set<String> set) {
        Set<String> known = variables(command);
        Set<String> unknown = new TreeSet<>(set);
        unknown.removeIf(known::contains);
        unknown.remove("KCLIP_JAVA_OPTS"); // read by the runtime image's entrypoint
        if (command.userObject() instanceof IngestCommand) {
            unknown.remove(IngestCommand.TOKEN_ENV);
        }
        assertTrue(unknown.isEmpty(), where + " sets " + unknown + ", which `" + command.qualifiedName()
                + "` does not read; its variables are " + known);
    }

    /** The variables {@code command} reads: one per long option, plus KCLIP_BOOTSTRAP where it takes --bootstrap. */
    private static Set<String> variables(CommandSpec command) {
        Set<String> variables = new TreeSet<>();
        for (OptionSpec option : command.options()) {
            if (option.usageHelp() || option.versionHelp() || !option.longestName().startsWith("--")) {
                continue;
            }
            variables.add(option.longestName().equals("--bootstrap")
                    ? KafkaConnection.BOOTSTRAP_ENV : EnvironmentDefaults.variableFor(option.longestName()));
        }
        return variables;
    }

    /** The kclip (sub)command that {@code words} run: {@code [teacher, serve]} is {@code kclip teacher serve}. */
    private static CommandSpec kclipCommand(List<String> words) {
        CommandLine current = new CommandLine(new Kclip());
        for (String word : words) {
            CommandLine sub = current.getSubcommands().get(word);
            if (sub == null) {
                break;
            }
            current = sub;
        }
        assertFalse(current.getCommandSpec().userObject() instanceof Kclip, "no kclip command in " + words);
        return current.getCommandSpec();
    }

    /**
     * The command a compose service runs: its {@code command}, else its image's CMD; for Flink's
     * {@code standalone-job --job-classname C}, the job's own command line (class C).
     */
    private static CommandSpec commandOf(String name, Map<String, Object> service) {
        String image = String.valueOf(service.get("image"));
        assertTrue(image.startsWith("kclip/"), name + " sets KCLIP_* variables but runs " + image);
        @SuppressWarnings("unchecked")
        List<String> words = (List<String>) service.get("command");
        if (words == null) {
            String repository = image.substring("kclip/".length(), image.indexOf(':'));
            words = Dockerfile.read(DOCKER.resolve(repository).resolve("Dockerfile")).cmd();
        }
        int jobClass = words.indexOf("--job-classname");
        if (words.contains("standalone-job") && jobClass >= 0) {
            try {
                Object job = Class.forName(words.get(jobClass + 1)).getDeclaredConstructor().newInstance();
                return new CommandLine(job).getCommandSpec();
            } catch (ReflectiveOperationException e) {
                return fail(name + ": no job class " + words.get(jobClass + 1), e);
            }
        }
        return kclipCommand(words);
    }

    /** The services of compose.yaml and of its addition compose.concepts.yaml. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> composeServices() throws IOException {
        Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        for (String file : List.of("compose.yaml", "compose.concepts.yaml")) {
            try (Reader reader = Files.newBufferedReader(DOCKER.resolve(file))) {
                Map<String, Object> compose = new Yaml().load(reader); // resolves the anchors and << merges
                services.putAll((Map<String, Map<String, Object>>) compose.get("services"));
            }
        }
        return services;
    }

    /** A service's environment, written as a map or as a list of NAME=value. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> environment(Map<String, Object> service) {
        Object environment = service.get("environment");
        if (environment instanceof List<?> list) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Object item : list) {
                String[] pair = String.valueOf(item).split("=", 2);
                map.put(pair[0], pair.length > 1 ? pair[1] : null);
            }
            return map;
        }
        return environment == null ? Map.of() : (Map<String, Object>) environment;
    }

    @SuppressWarnings("unchecked")
    private static <T> T path(Map<String, Object> map, String... keys) {
        Object current = map;
        for (String key : keys) {
            assertTrue(current instanceof Map, "no " + key + " in " + current);
            current = ((Map<String, Object>) current).get(key);
        }
        return (T) current;
    }
}
