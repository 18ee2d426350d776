package dev.kclip.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.schemas.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kclip broker} as users run it: a separate process, killed with SIGKILL, restarted on the same data. */
class BrokerProcessIT {

    @TempDir
    Path data;

    @Test
    void readyQuicklyAndKeepsTopicsAndRecordsAfterKillDashNine() throws Exception {
        int port = freePort();
        KafkaConnection kafka = KafkaConnection.to("localhost:" + port);

        Process first = startBroker(port);
        long readyMillis;
        try {
            readyMillis = awaitReady(first);
            assertTrue(readyMillis < 15_000, "ready in " + readyMillis + " ms");
            try (Admin admin = Admin.create(kafka.admin())) {
                new TopicCatalogAdmin(admin).ensure(Topics.ALL, 0);
            }
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(kafka.producer(), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 500; i++) {
                    producer.send(new ProducerRecord<>(Topics.PAIRS_RAW.name(), "k" + i, "v" + i));
                }
                producer.flush();
            }
        } finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(137, first.exitValue(), "killed with SIGKILL, no clean shutdown");

        Process second = startBroker(port);
        try {
            awaitReady(second);
            try (Admin admin = Admin.create(kafka.admin())) {
                for (TopicCatalogAdmin.Described d : new TopicCatalogAdmin(admin).describe(Topics.ALL)) {
                    assertTrue(d.exists(), d.spec().name() + " survived the restart");
                }
            }
            List<ConsumerRecord<byte[], byte[]>> records =
                    TopicReader.readAll(kafka, Topics.PAIRS_RAW.name(), 500, Duration.ofSeconds(10));
            assertEquals(500, records.size());
            Set<String> values = new java.util.HashSet<>();
            records.forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
            assertTrue(values.contains("v0") && values.contains("v499"));
        } finally {
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private Process startBroker(int port) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Kclip.class.getName(),
                "broker", "--data", data.toString(), "--port", Integer.toString(port)));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Waits for the ready line; returns milliseconds from process start. */
    private static long awaitReady(Process process) throws IOException {
        long start = process.info().startInstant().map(i -> i.toEpochMilli()).orElse(System.currentTimeMillis());
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("kclip broker ready")) {
                long ready = System.currentTimeMillis() - start;
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the pipe from filling up
                        }
                    } catch (IOException e) {
                        // the process is gone
                    }
                }, "broker-output");
                drain.setDaemon(true);
                drain.start();
                return ready;
            }
        }
        throw new AssertionError("broker exited before it was ready, exit " + process.onExit().join().exitValue());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
