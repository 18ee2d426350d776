package dev.kclip.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.Topics;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import dev.kclip.trainer.checkpoint.CheckpointEvents;
import dev.kclip.trainer.checkpoint.CheckpointFollower;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.SigningKey;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.model.ModelConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Following checkpoints from a machine that shares no disk: {@code kclip checkpoints serve} in one process with the
 * trainer's directory, {@code kclip checkpoints follow} in another with its own, connected only through Kafka (the
 * events) and HTTP (the files). The follower is killed with SIGKILL in the middle of a download and restarted.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CheckpointsOverHttpIT {

    /** Large enough, at the server's rate limit, for the follower to be caught in the middle of it. */
    private static final int WEIGHTS_BYTES = 12_000_000;
    private static final String RATE_MB = "3";

    @TempDir
    Path dir;

    @Test
    void aFollowerWithItsOwnDiskEndsWithTheSameVerifiedCheckpointAfterAKillDashNine(KafkaBroker broker) throws Exception {
        KafkaConnection kafka = broker.connection();
        try (Admin admin = Admin.create(kafka.admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(Topics.CHECKPOINTS), 0);
        }
        String runId = "http-follow-" + UUID.randomUUID();
        Path trainerDir = Files.createDirectories(dir.resolve("trainer-machine"));
        Path followerDir = Files.createDirectories(dir.resolve("follower-machine"));
        Path token = Files.createFile(dir.resolve("token"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(token, "a token both machines were given\n");
        Path key = Files.writeString(dir.resolve("signing.key"), "a shared key of thirty-two bytes\n");
        CheckpointStore store = new CheckpointStore(trainerDir.resolve("checkpoints"), 5, SigningKey.read(key));
        StoredCheckpoint v1 = write(store, runId, 10, 1);

        Process server = start("serve", "--dir", store.root().toString(), "--port", "0",
                "--checkpoints-token-file", token.toString(), "--checkpoints-max-rate", RATE_MB);
        try {
            BlockingQueue<String> serverOut = drain(server);
            String serving = awaitLine(serverOut, "serving checkpoints of ");
            URI url = URI.create(serving.substring(serving.indexOf(" at ") + 4, serving.indexOf(" (bound")));
            announce(kafka, CheckpointEvents.of(v1, url));

            Path target = followerDir.resolve("checkpoints");
            List<String> follow = List.of("follow", "--bootstrap", broker.bootstrapServers(), "--to", target.toString(),
                    "--run-id", runId, "--from", url.toString(), "--token-file", token.toString(),
                    "--signing-key-file", key.toString());
            Process first = start(follow.toArray(String[]::new));
            try {
                drain(first);
                Path partial = awaitPartialWeights(target, first);
                assertFalse(Files.exists(target.resolve("v000001")), "no checkpoint while it downloads");
                assertFalse(Files.exists(target.resolve(CheckpointFollower.LATEST)));
                assertTrue(Files.size(partial) < WEIGHTS_BYTES, "killed in the middle of the download");
            } finally {
                first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            assertEquals(137, first.exitValue(), "killed with SIGKILL");
            assertFalse(Files.exists(target.resolve("v000001")), "a killed download leaves no checkpoint behind");

            Process second = start(follow.toArray(String[]::new));
            try {
                BlockingQueue<String> out = drain(second);
                String resumed = awaitLine(out, "resuming weights.params");
                assertFalse(resumed.contains("at byte 0 "), resumed);
                awaitLine(out, runId + " version 1 ");
                assertSameCheckpoint(v1, target);

                // the next checkpoint, while it runs
                StoredCheckpoint v2 = write(store, runId, 20, 2);
                announce(kafka, CheckpointEvents.of(v2, url));
                awaitLine(out, runId + " version 2 ");
                assertSameCheckpoint(v2, target);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
            try (Stream<Path> left = Files.list(target)) {
                assertEquals(List.of("latest", "v000001", "v000002"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                        "no staging directory left");
            }
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static StoredCheckpoint write(CheckpointStore store, String runId, long step, long seed) throws Exception {
        byte[] weights = new byte[WEIGHTS_BYTES];
        new Random(seed).nextBytes(weights);
        Map<String, CheckpointStore.FileContent> files = new LinkedHashMap<>();
        files.put(StoredCheckpoint.WEIGHTS_FILE, out -> out.write(weights));
        files.put(StoredCheckpoint.OPTIMIZER_FILE, out -> out.write(new byte[] {1, 2, 3}));
        return store.write(CheckpointManifest.builder().runId(runId).step(step)
                .model(ModelConfig.tiny()).training(JsonNodeFactory.instance.objectNode()).teacherModelId("onnx-minilm")
                .createdTime("2026-12-02T09:00:00Z").build(), files);
    }

    private static void announce(KafkaConnection kafka, CheckpointEvent event) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(CheckpointEvents.toRecord(Topics.CHECKPOINTS.name(), event));
            producer.flush();
        }
    }

    /** Every file of the follower's {@code latest} has the trainer's bytes, and it verifies. */
    private static void assertSameCheckpoint(StoredCheckpoint expected, Path target) throws IOException {
        Path latest = CheckpointStore.resolveDirectory(target.resolve(CheckpointFollower.LATEST));
        assertEquals(CheckpointStore.directoryName(expected.version()), latest.getFileName().toString());
        CheckpointStore.Verification v = CheckpointStore.verify(latest);
        assertTrue(v.ok(), v.problem());
        assertEquals(expected.manifestSha256(), v.manifestSha256());
        for (String name : List.of(CheckpointStore.MANIFEST, SigningKey.SIGNATURE_FILE, StoredCheckpoint.WEIGHTS_FILE,
                StoredCheckpoint.OPTIMIZER_FILE)) {
            assertEquals(CheckpointStore.sha256(expected.directory().resolve(name)), CheckpointStore.sha256(latest.resolve(name)), name);
        }
    }

    /** Waits until the staged weights hold a first part of the file; returns the staged file. */
    private static Path awaitPartialWeights(Path target, Process follower) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(follower.isAlive(), "the follower exited with " + (follower.isAlive() ? 0 : follower.exitValue()));
            Optional<Path> staged = staged(target);
            if (staged.isPresent() && Files.size(staged.get()) > WEIGHTS_BYTES / 6) {
                return staged.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the download never started");
    }

    private static Optional<Path> staged(Path target) throws IOException {
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (Stream<Path> entries = Files.list(target)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(".staging-v000001-"))
                    .map(p -> p.resolve(StoredCheckpoint.WEIGHTS_FILE)).filter(Files::isRegularFile).findFirst();
        }
    }

    private static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), CheckpointsProcess.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Reads a process's output on a thread of its own (so its pipe never fills), a line at a time. */
    private static BlockingQueue<String> drain(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "process-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String awaitLine(BlockingQueue<String> lines, String containing) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.add(line);
                if (line.contains(containing)) {
                    return line;
                }
            }
        }
        throw new AssertionError("no line with '" + containing + "' in:\n" + String.join("\n", seen));
    }
}
