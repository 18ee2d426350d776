package dev.kclip.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.schemas.PairIds;
import dev.kclip.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.MountableFile;

/**
 * The pipeline as separate containers, from the images {@code docker/build-images.sh} builds: the broker image
 * (network alias {@code kafka}), a {@code topics create} one-shot, then ingest, teacher, concept updater and trainer,
 * each started from its image's CMD, configured by environment variables only and waited for by the image's own
 * HEALTHCHECK. The teacher reaches Kafka through a mounted client properties file (its KCLIP_BOOTSTRAP points
 * nowhere). 180 emoji-64 pairs come from a {@code kclip push} container, 20 more and one duplicate through ingest's
 * HTTP port; every topic is then read back with {@code kclip tail} containers and checked stage by stage, and the
 * trainer's checkpoint event against its store.
 */
class PipelineContainersIT {

    private static final Path ROOT = Path.of(System.getProperty("kclip.root", ".."));
    private static final Path DATASET = ROOT.resolve("datasets/emoji-64");
    private static final String TAG = "it";
    private static final int PUSHED = 180;
    private static final int OVER_HTTP = 20;
    private static final int PAIRS = PUSHED + OVER_HTTP;
    private static final String TOKEN = "container-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<GenericContainer<?>> containers = new ArrayList<>();
    private ProjectImages images;
    private Network network;

    @Test
    void pairsFlowThroughEveryContainerIntoAVerifiedCheckpoint() throws Exception {
        long start = System.nanoTime();
        images = ProjectImages.build(ROOT, TAG);
        long built = System.nanoTime();
        network = Network.newNetwork();
        try {
            runPipeline();
        } catch (Throwable failure) {
            printLogs();
            throw failure;
        } finally {
            containers.forEach(GenericContainer::stop);
            network.close();
        }
        System.out.printf("container test: images %d s, pipeline %d s%n", (built - start) / 1_000_000_000L,
                (System.nanoTime() - built) / 1_000_000_000L);
    }

    private void runPipeline() throws Exception {
        List<JsonNode> dataset = Files.readAllLines(DATASET.resolve("pairs.jsonl")).stream().limit(PAIRS)
                .map(PipelineContainersIT::parse).toList();
        List<String> expectedIds = new ArrayList<>();
        for (JsonNode line : dataset) {
            expectedIds.add(PairIds.contentHash(image(line), line.get("caption").asText()));
        }

        GenericContainer<?> kafka = service("kafka", 1).withNetworkAliases("kafka");
        kafka.start();
        String created = oneShot(runtime(), "topics", "create");
        assertEquals(Topics.ALL.size(), created.lines().filter(l -> l.contains(" created ")).count(), created);

        GenericContainer<?> ingest = service("ingest", 2)
                .withEnv("KCLIP_INGEST_TOKEN", TOKEN)
                .withExposedPorts(8080);
        GenericContainer<?> teacher = service("teacher", 2)
                .withEnv("KCLIP_BOOTSTRAP", "nowhere.invalid:9092") // the properties file's bootstrap.servers wins
                .withEnv("KCLIP_KAFKA_CONFIG", "/etc/kclip/kafka.properties")
                .withCopyToContainer(Transferable.of("bootstrap.servers=kafka:9092\n"), "/etc/kclip/kafka.properties");
        GenericContainer<?> concepts = service("concept-updater", 2)
                .withEnv(Map.of("KCLIP_K", "8", "KCLIP_BOOTSTRAP_SIZE", "64", "KCLIP_BATCH", "32",
                        "KCLIP_CHECKPOINT_INTERVAL", "2s"));
        GenericContainer<?> trainer = service("trainer", 3)
                .withEnv(Map.of("KCLIP_BATCH_SIZE", "16", "KCLIP_MAX_WAIT_MS", "500", "KCLIP_HELD_OUT_SHARE", "0",
                        "KCLIP_CHECKPOINT_EVERY_STEPS", "5", "KCLIP_IDLE_AFTER_SECONDS", "3",
                        "KCLIP_IDLE_REPLAY_STEPS", "10"));
        Startables.deepStart(ingest, teacher, concepts, trainer).join();

        String pushed = oneShot(runtime().withCopyFileToContainer(MountableFile.forHostPath(DATASET), "/data/emoji-64"),
                "push", "/data/emoji-64/pairs.jsonl", "--limit", Integer.toString(PUSHED), "--progress", "none");
        assertTrue(pushed.contains("pushed " + PUSHED + " pairs"), pushed);

        // the last 20 pairs, then the first one again: ingest must drop the duplicate
        StringBuilder batch = new StringBuilder();
        List<String> batchIds = new ArrayList<>(expectedIds.subList(PUSHED, PAIRS));
        batchIds.add(expectedIds.get(0));
        for (JsonNode line : dataset.subList(PUSHED, PAIRS)) {
            batch.append(httpLine(line)).append('\n');
        }
        batch.append(httpLine(dataset.get(0))).append('\n');
        URI intake = URI.create("http://" + ingest.getHost() + ":" + ingest.getMappedPort(8080) + "/v1/pairs:batch");
        assertEquals(403, post(intake, "not-the-token", batch.toString()).statusCode(), "a wrong token is refused");
        HttpResponse<String> answer = post(intake, TOKEN, batch.toString());
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode accepted = JSON.readTree(answer.body());
        assertEquals(OVER_HTTP + 1, accepted.get("accepted").asInt(), answer.body());
        List<String> answeredIds = new ArrayList<>();
        accepted.get("ids").forEach(id -> answeredIds.add(id.get("id").asText()));
        assertEquals(batchIds, answeredIds, "HTTP ids are the content hashes kclip push gives");

        JsonNode checkpoint = awaitCheckpointOfAll(Duration.ofMinutes(6));

        Set<String> expected = Set.copyOf(expectedIds);
        assertEquals(PAIRS + 1, tail(Topics.PAIRS_RAW.name()).size(), "raw: pushed + HTTP, the duplicate included");
        assertSameIds(expected, tail(Topics.PAIRS.name()), "/id", "validated pairs");
        assertEquals(List.of(), tail(Topics.DEAD_LETTERS.name()), "nothing dead-lettered");
        List<JsonNode> embeddings = tail(Topics.TEACHER_EMBEDDINGS.name());
        assertSameIds(expected, embeddings, "/pair/id", "teacher embeddings");
        for (JsonNode embedded : embeddings) {
            assertEquals("onnx-minilm", embedded.get("teacherModelId").asText());
            assertEquals(384, embedded.get("dim").asInt());
        }
        List<JsonNode> examples = tail(Topics.TRAIN_EXAMPLES.name());
        assertSameIds(expected, examples, "/embedded/pair/id", "labelled training examples");
        for (JsonNode example : examples) {
            assertEquals(8, example.get("conceptCount").asInt(), "soft labels over K=8 concepts");
        }

        assertEquals("kclip-trainer", checkpoint.get("runId").asText());
        assertEquals("onnx-minilm", checkpoint.get("teacherModelId").asText());
        // transaction markers take offsets too, so compare with the examples' own offsets, not with their count
        long covered = 0;
        for (Map.Entry<Integer, List<Long>> partition : offsetsByPartition(Topics.TRAIN_EXAMPLES.name()).entrySet()) {
            long next = checkpoint.get("offsets").path(Topics.TRAIN_EXAMPLES.name() + "-" + partition.getKey()).asLong(-1);
            assertTrue(next > Collections.max(partition.getValue()), "the checkpoint's offset " + next + " of partition "
                    + partition.getKey() + " is past its every example: " + checkpoint);
            covered += partition.getValue().stream().filter(offset -> offset < next).count();
        }
        assertEquals(PAIRS, covered, "the checkpoint's offsets cover every example: " + checkpoint);
        long version = checkpoint.get("version").asLong();
        assertTrue(checkpoint.get("location").asText().startsWith("file:///var/lib/kclip/checkpoints/"), checkpoint.toString());
        ExecResult listing = trainer.execInContainer("bash", "-c",
                "exec java $KCLIP_JAVA_OPTS -jar /opt/kclip/kclip.jar checkpoints list --store /var/lib/kclip/checkpoints");
        assertEquals(0, listing.getExitCode(), listing.getStderr());
        Pattern verified = Pattern.compile("(?m)^\\s*" + version + "\\s+" + checkpoint.get("step").asLong() + "\\s+"
                + PAIRS + "\\s+\\d+\\s+yes\\b");
        assertTrue(verified.matcher(listing.getStdout()).find(),
                "checkpoint " + version + " is in the trainer's store and verifies:\n" + listing.getStdout());
    }

    /** Polls kclip.model.checkpoints until an event says every example was consumed. */
    private JsonNode awaitCheckpointOfAll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> events = List.of();
        while (System.nanoTime() < deadline) {
            events = tail(Topics.CHECKPOINTS.name());
            for (JsonNode event : events) {
                if (event.get("examplesConsumed").asLong() == PAIRS) {
                    return event;
                }
            }
            Thread.sleep(5_000);
        }
        throw new AssertionError("no checkpoint with " + PAIRS + " examples consumed within " + timeout + "; events: " + events);
    }

    private static void assertSameIds(Set<String> expected, List<JsonNode> records, String idPointer, String what) {
        List<String> ids = records.stream().map(r -> r.at(idPointer).asText()).toList();
        assertEquals(expected.size(), ids.size(), what + ": one record per pair");
        assertEquals(expected, new HashSet<>(ids), what + ": the pairs' ids");
    }

    /** The topic's committed records, read by a {@code kclip tail --json} container on the network. */
    private List<JsonNode> tail(String topic) {
        String output = oneShot(runtime(), "tail", topic, "--json", "--from-beginning", "--idle-timeout", "5");
        return output.lines().filter(l -> l.startsWith("{")).map(PipelineContainersIT::parse).toList();
    }

    /** Partition → offsets of the committed records of {@code topic} ({@code kclip tail} prefixes each line so). */
    private Map<Integer, List<Long>> offsetsByPartition(String topic) {
        String output = oneShot(runtime(), "tail", topic, "--from-beginning", "--idle-timeout", "5");
        Map<Integer, List<Long>> offsets = new HashMap<>();
        Matcher record = Pattern.compile("(?m)^p(\\d+)@(\\d+) ").matcher(output);
        while (record.find()) {
            offsets.computeIfAbsent(Integer.parseInt(record.group(1)), p -> new ArrayList<>())
                    .add(Long.parseLong(record.group(2)));
        }
        return offsets;
    }

    /** A long-running service from its image, on the network, healthy by the image's HEALTHCHECK. */
    private GenericContainer<?> service(String image, int memoryGiB) {
        GenericContainer<?> container = new GenericContainer<>(images.image(image))
                .withNetwork(network)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withMemory((long) memoryGiB << 30))
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(4)));
        containers.add(container);
        return container;
    }

    private GenericContainer<?> runtime() {
        return new GenericContainer<>(images.image("runtime")).withNetwork(network);
    }

    /** Runs {@code container} with {@code command} to its end; returns its standard output (it must exit 0). */
    private static String oneShot(GenericContainer<?> container, String... command) {
        try (GenericContainer<?> c = container.withCommand(command)
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(3)))) {
            c.start();
            return c.getLogs(OutputType.STDOUT);
        }
    }

    private static HttpResponse<String> post(URI uri, String token, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String httpLine(JsonNode line) throws Exception {
        ObjectNode pair = JSON.createObjectNode();
        pair.put("image", Base64.getEncoder().encodeToString(image(line)));
        pair.put("caption", line.get("caption").asText());
        return JSON.writeValueAsString(pair);
    }

    private static byte[] image(JsonNode line) {
        try {
            return Files.readAllBytes(DATASET.resolve(line.get("image").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    private void printLogs() {
        for (GenericContainer<?> container : containers) {
            if (container.getContainerId() == null) {
                continue;
            }
            List<String> lines = container.getLogs().lines().toList();
            System.out.println("---- " + container.getDockerImageName() + " (last 40 lines)");
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.out::println);
        }
    }
}
