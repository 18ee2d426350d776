package dev.kclip.ingest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.cli.Cli;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.datasets.read.Dataset;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.PairEntry;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.ingest.IngestItSupport;
import dev.kclip.ingest.topology.IngestTopics;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.PairIds;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code kclip push} end to end: skipped lines reported with their numbers, --shuffle --seed --limit, the summary. */
@ExtendWith(KafkaBrokerExtension.class)
class PushCommandIT {

    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);
    private static final Path EMOJI_IMAGES = Path.of("../datasets/emoji-64/images").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void pushReportsSkippedLinesAndSendsTheSeededSample(KafkaBroker broker) throws IOException {
        KafkaConnection kafka = broker.connection();
        IngestTopics topics = IngestItSupport.uniqueTopics("push-cli");
        IngestItSupport.createTopics(kafka, topics);
        Path file = Files.writeString(dir.resolve("pairs.jsonl"), String.join("\n",
                line("1f600", "grinning face"),
                line("1f34e", "red apple"),
                "{\"image\": \"x.png\", \"caption\": ",
                line("1f436", "dog face"),
                "{\"image\": \"" + dir.resolve("gone.png") + "\", \"caption\": \"missing\"}",
                line("1f680", "rocket"),
                line("2615", "hot beverage")));

        Result result = run("push", "--bootstrap", kafka.bootstrapServers(), "--topic", topics.input(),
                "--progress", "lines", "--shuffle", "--seed", "11", "--limit", "3", "--allow-outside-root", file.toString());

        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("shuffling with --seed 11"), result.out());
        assertTrue(result.out().contains("skipped pairs.jsonl line 3: malformed JSON"), result.out());
        assertTrue(result.out().contains("skipped pairs.jsonl line 5: image not found: " + dir.resolve("gone.png")), result.out());
        assertTrue(result.out().contains("pushed 3 pairs from " + dir.getFileName() + " to " + topics.input()), result.out());
        assertTrue(result.out().contains("skipped 2: 1 malformed line, 1 image not found"), result.out());

        Dataset dataset = new JsonlReader(ReaderOptions.DEFAULTS.withAllowOutsideRoot(true)).read(file);
        List<PairEntry> shuffled = new ArrayList<>(dataset.entries());
        Collections.shuffle(shuffled, new Random(11));
        Set<String> expected = shuffled.subList(0, 3).stream()
                .map(e -> PairIds.contentHash(read(e.image()), e.caption())).collect(Collectors.toSet());
        Set<String> pushed = IngestItSupport.readAll(kafka, topics.input()).stream()
                .map(r -> PAIRS.decode(r.value()).getId()).collect(Collectors.toSet());
        assertEquals(expected, pushed);
    }

    @Test
    void aMissingTopicIsOneClearError(KafkaBroker broker) throws IOException {
        Path file = Files.writeString(dir.resolve("pairs.jsonl"), line("1f600", "grinning face"));

        Result result = run("push", "--bootstrap", broker.bootstrapServers(), "--topic", "no.such.topic", file.toString());

        assertEquals(1, result.exitCode());
        assertEquals("kclip: error: topic no.such.topic does not exist: create it with `kclip topics create`, or start "
                + "`kclip ingest`, which creates its topics", result.err().strip());
    }

    private static String line(String emoji, String caption) {
        return "{\"image\": \"" + EMOJI_IMAGES.resolve(emoji + ".png") + "\", \"caption\": \"" + caption + "\"}";
    }

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Cli.execute(new Root(), args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    /** A root like the launcher's, with push as a subcommand. */
    @picocli.CommandLine.Command(name = "kclip", subcommands = PushCommand.class)
    static final class Root {
    }

    private static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
