package dev.kclip.ingest.push;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.datasets.read.Dataset;
import dev.kclip.datasets.read.ImageBytes;
import dev.kclip.datasets.read.PairEntry;
import dev.kclip.datasets.read.SkipReason;
import dev.kclip.datasets.read.Skipped;
import dev.kclip.datasets.read.SkippedException;
import dev.kclip.ingest.push.progress.PushProgress;
import dev.kclip.schemas.ImageCaptionPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Pushes dataset entries to the raw topic: reads each image file, builds the raw pair (id = content hash, so a
 * second push of the same data creates no duplicates downstream), sends it, and reports progress. Entries that
 * cannot be used are skipped and reported with their location; the push goes on. Usable from code:
 *
 * <pre>{@code
 * Dataset emoji = new JsonlReader().read(Path.of("datasets/emoji-64/pairs.jsonl"));
 * List<PairEntry> animalsFirst = emoji.entries().stream()
 *         .sorted(Comparator.comparing(e -> !"Animals & Nature".equals(e.attribute("category")))).toList();
 * try (Pusher pusher = Pusher.open(kafka, Topics.PAIRS_RAW.name(), PushProgress.silent())) {
 *     pusher.pushInOrder(emoji.name(), animalsFirst);
 * }
 * }</pre>
 */
public final class Pusher implements AutoCloseable {

    private final RawPairProducer producer;
    private final PushProgress progress;
    private final Clock clock;

    Pusher(RawPairProducer producer, PushProgress progress, Clock clock) {
        this.producer = producer;
        this.progress = progress;
        this.clock = clock;
    }

    /**
     * A pusher to {@code topic}.
     *
     * @throws IllegalArgumentException when the topic does not exist
     */
    public static Pusher open(KafkaConnection kafka, String topic, PushProgress progress) {
        RawPairProducer.requireTopic(kafka, topic);
        return new Pusher(new RawPairProducer(kafka, topic, new Properties()), progress, Clock.systemUTC());
    }

    /** Pushes a dataset: shuffled and limited as {@code options} say, at most at its rate. */
    public PushSummary push(Dataset dataset, PushOptions options) {
        List<PairEntry> entries = new ArrayList<>(dataset.entries());
        if (options.shuffle()) {
            Collections.shuffle(entries, new Random(options.seed()));
        }
        if (options.limit() > 0 && entries.size() > options.limit()) {
            entries = entries.subList(0, (int) options.limit());
        }
        return send(dataset.name(), entries, dataset.skipped(), options.ratePerSecond());
    }

    /** Pushes {@code entries} exactly in the order given, as fast as possible. */
    public PushSummary pushInOrder(String source, List<PairEntry> entries) {
        return send(source, entries, List.of(), 0);
    }

    private PushSummary send(String source, List<PairEntry> entries, List<Skipped> listedSkips, double rate) {
        long start = System.nanoTime();
        Map<SkipReason, Long> skippedByReason = new EnumMap<>(SkipReason.class);
        List<Skipped> skipped = new ArrayList<>();
        progress.started(source, entries.size());
        for (Skipped skip : listedSkips) {
            skip(skip, skippedByReason, skipped);
        }
        RatePacer pacer = new RatePacer(rate);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long sent = 0;
        long imageBytes = 0;
        long recordBytes = 0;
        for (PairEntry entry : entries) {
            if (failure.get() != null) {
                break;
            }
            pace(pacer.waitNanos(sent, System.nanoTime() - start));
            byte[] image;
            try {
                image = ImageBytes.read(entry);
            } catch (SkippedException e) {
                skip(e.skipped(), skippedByReason, skipped);
                continue;
            }
            ImageCaptionPair pair = RawPairs.of(image, entry.caption(), entry.label(), entry.attributes(), source,
                    clock.instant());
            byte[] value = RawPairProducer.encode(pair);
            if (value.length > RawPairProducer.MAX_RECORD_BYTES) {
                skip(new Skipped(entry.location(), SkipReason.TOO_LARGE, "record of " + value.length
                        + " bytes is larger than Kafka accepts (" + RawPairProducer.MAX_RECORD_BYTES + ")"),
                        skippedByReason, skipped);
                continue;
            }
            producer.send(pair.getId(), value).whenComplete((metadata, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
            });
            sent++;
            imageBytes += image.length;
            recordBytes += value.length;
            progress.advanced(sent, recordBytes);
        }
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("sending to " + producer.topic() + " failed: " + failure.get().getMessage(),
                    failure.get());
        }
        PushSummary summary = new PushSummary(source, producer.topic(), sent, skippedByReason, skipped, imageBytes,
                recordBytes, Duration.ofNanos(System.nanoTime() - start));
        progress.finished(summary);
        return summary;
    }

    private void skip(Skipped skip, Map<SkipReason, Long> byReason, List<Skipped> kept) {
        byReason.merge(skip.reason(), 1L, Long::sum);
        if (kept.size() < PushSummary.KEPT_SKIPS) {
            kept.add(skip);
        }
        progress.skipped(skip);
    }

    private static void pace(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("push interrupted", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
