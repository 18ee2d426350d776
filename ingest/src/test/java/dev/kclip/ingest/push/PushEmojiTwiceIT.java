package dev.kclip.ingest.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.datasets.read.Dataset;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.PairEntry;
import dev.kclip.ingest.IngestItSupport;
import dev.kclip.ingest.IngestService;
import dev.kclip.ingest.TestImages;
import dev.kclip.ingest.push.progress.PushProgress;
import dev.kclip.ingest.topology.IngestTopics;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.PairIds;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Pushing emoji-64 twice gives its 1,911 pairs once: ids are content hashes and ingest drops seen ids. */
@ExtendWith(KafkaBrokerExtension.class)
class PushEmojiTwiceIT {

    private static final Path EMOJI = Path.of("../datasets/emoji-64/pairs.jsonl");
    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);

    @TempDir
    Path stateDir;

    @Test
    void pushingTheSameDatasetTwiceCreatesNoDuplicates(KafkaBroker broker) {
        KafkaConnection kafka = broker.connection();
        IngestTopics topics = IngestItSupport.uniqueTopics("emoji");
        Dataset emoji = new JsonlReader().read(EMOJI);
        try (IngestService service = IngestService.start(IngestItSupport.config(topics, stateDir), kafka, new SimpleMeterRegistry());
                Pusher pusher = Pusher.open(kafka, topics.input(), PushProgress.silent())) {
            PushSummary first = pusher.push(emoji, PushOptions.ALL_IN_ORDER);
            PushSummary second = pusher.push(emoji, PushOptions.ALL_IN_ORDER);
            assertEquals(1_911, first.pushed());
            assertEquals(1_911, second.pushed());
            assertEquals(0, first.skippedCount());
            assertEquals(first.recordBytes(), second.recordBytes());

            IngestItSupport.awaitCaughtUp(kafka, service.config().applicationId(), topics.input(), Duration.ofSeconds(120));
            assertEquals(1_911.0, service.metrics().duplicateCount());
        }

        Map<String, ConsumerRecord<byte[], byte[]>> output = IngestItSupport.readAll(kafka, topics.output()).stream()
                .collect(Collectors.toMap(r -> PAIRS.decode(r.value()).getId(), Function.identity(), (a, b) -> {
                    throw new AssertionError("id " + PAIRS.decode(a.value()).getId() + " came out twice");
                }));
        assertEquals(1_911, output.size(), "1,911 pairs, not 3,822");
        Set<String> expectedIds = emoji.entries().stream().map(e -> PairIds.contentHash(read(e.image()), e.caption()))
                .collect(Collectors.toSet());
        assertEquals(expectedIds, output.keySet());

        PairEntry apple = emoji.entries().stream().filter(e -> e.caption().equals("red apple")).findFirst().orElseThrow();
        ImageCaptionPair pair = PAIRS.decode(output.get(PairIds.contentHash(read(apple.image()), "red apple")).value());
        assertEquals("emoji-64", pair.getSource());
        assertEquals("Food & Drink", pair.getAttributes().get("category"));
        assertEquals("food-fruit", pair.getAttributes().get("subcategory"));
        assertEquals(64, pair.getWidth());
        assertEquals(64, pair.getHeight());
        assertEquals("image/jpeg", pair.getMediaType());
        int[] corner = TestImages.rgb(TestImages.decode(bytes(pair.getImage())), 0, 0);
        assertTrue(corner[0] > 245 && corner[1] > 245 && corner[2] > 245, "transparent corner composited on white");
    }

    private static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
