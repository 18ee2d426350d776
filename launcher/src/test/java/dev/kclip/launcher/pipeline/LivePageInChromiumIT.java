package dev.kclip.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.LoadedDataset;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.ingest.push.RawPairs;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.TrainingListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page of {@code kclip up} in a real browser while pairs stream: the pipeline as {@code up} runs it, emoji
 * pairs pushed in two rounds, and headless Chromium (Debian's {@code chromium}, which {@code .ci/run} installs)
 * opening the page after each. The page must poll, draw every chart it shows, and show other figures the second
 * time (more samples, more records seen by the concepts, a checkpoint).
 */
class LivePageInChromiumIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final int ROUND = 40;

    @TempDir
    Path dir;

    @Test
    void thePageDrawsThePipelineAndItsFiguresMoveWhilePairsStream() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Debian's chromium is not installed (.ci/run installs it)");
        List<LoadedDataset.Pair> emoji = LoadedDataset.load(
                new JsonlReader(ReaderOptions.DEFAULTS.withLabelField("category")),
                Path.of("../datasets/emoji-64/pairs.jsonl")).pairs();
        PipelineSettings small = SmallPipeline.settings(dir);
        TrainerConfig trainer = small.trainer().withCheckpoints(
                new TrainerConfig.Checkpointing(dir.resolve("checkpoints"), 10, Duration.ofSeconds(3), 3));

        try (Pipeline pipeline = Pipeline.start(small.withTrainer(trainer), null, TrainingListener.NONE, line -> { });
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pipeline.kafka().producer(),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            URI page = URI.create("http://127.0.0.1:" + pipeline.metricsPort() + "/");

            push(producer, emoji.subList(0, ROUND));
            JsonNode first = await(page, d -> d.path("concepts").path("snapshots").size() > 0
                    && d.path("gauges").has("kclip.trainer.loss{term=total}") && d.path("groups").size() > 0);
            String before = dom(page, "first");

            push(producer, emoji.subList(ROUND, 2 * ROUND));
            long seen = first.path("concepts").path("recordsSeen").asLong();
            long sampled = samples(before);   // the board samples every 2 s, later when a source is slow under load
            await(page, d -> d.path("concepts").path("recordsSeen").asLong() > seen
                    && d.path("checkpoints").size() > 0 && d.path("samples").asLong() > sampled);
            String after = dom(page, "second");

            for (String dom : List.of(before, after)) {
                Matcher charts = attribute(dom, "data-charts", "(\\d+)/(\\d+)");
                assertTrue(Integer.parseInt(charts.group(2)) >= 5, "throughput, lag, meters, losses, concepts: " + charts.group());
                assertEquals(charts.group(2), charts.group(1), "every chart it shows drew an SVG");
                assertTrue(Integer.parseInt(attribute(dom, "data-updates", "(\\d+)").group(1)) >= 1, "it polled");
            }
            assertTrue(samples(after) > samples(before), "later samples the second time");
            assertTrue(after.contains("data-checkpoint=\""), "a checkpoint is shown with its follow command");
            assertTrue(after.contains("kclip checkpoints follow --bootstrap " + pipeline.kafka().bootstrapServers()),
                    "the follow command names the pipeline's broker");
            assertNotEquals(summary(before), summary(after), "the concepts' figures moved");
        }
    }

    private static void push(KafkaProducer<byte[], byte[]> producer, List<LoadedDataset.Pair> pairs) {
        Instant now = Instant.now();
        for (LoadedDataset.Pair p : pairs) {
            ImageCaptionPair pair = RawPairs.of(p.image(), p.caption(), p.label(), p.attributes(), "emoji-64", now);
            producer.send(new ProducerRecord<>(Topics.PAIRS_RAW.name(), pair.getId().getBytes(StandardCharsets.UTF_8),
                    PAIRS.encode(pair)));
        }
        producer.flush();
    }

    /** Polls the page's JSON until {@code ready} holds (the page's own data, the event the test waits on). */
    private static JsonNode await(URI page, Predicate<JsonNode> ready) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        JsonNode data = null;
        while (System.nanoTime() < deadline) {
            data = new ObjectMapper().readTree(HTTP.send(HttpRequest.newBuilder(page.resolve("live.json"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()).body());
            if (ready.test(data)) {
                return data;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the live page's data never got there: " + data);
    }

    /** The page's DOM after a few of its polls, as headless Chromium leaves it. */
    private String dom(URI page, String name) throws Exception {
        Process chromium = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("profile-" + name),
                "--virtual-time-budget=5000", "--dump-dom", page.toString()))
                .redirectError(dir.resolve("chromium-" + name + ".log").toFile()).start();
        String dom = new String(chromium.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(chromium.waitFor(60, TimeUnit.SECONDS), "chromium finished");
        Path kept = Path.of("target", "live-page", name + ".html");   // what the browser showed, for a look
        Files.createDirectories(kept.getParent());
        Files.writeString(kept, dom);
        return dom;
    }

    private static Matcher attribute(String dom, String name, String value) {
        Matcher m = Pattern.compile(name + "=\"" + value + "\"").matcher(dom);
        assertTrue(m.find(), name + " set by the page's script; DOM starts: " + dom.substring(0, Math.min(400, dom.length())));
        return m;
    }

    private static long samples(String dom) {
        return Long.parseLong(attribute(dom, "data-last-samples", "(\\d+)").group(1));
    }

    private static String summary(String dom) {
        Matcher m = Pattern.compile("<p id=\"concept-summary\">([^<]*)</p>").matcher(dom);
        assertTrue(m.find(), "the concepts are shown");
        return m.group(1);
    }
}
