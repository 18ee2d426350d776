package dev.kclip.ingest.bench;

import dev.kclip.common.broker.EmbeddedKafkaBroker;
import dev.kclip.common.cli.Cli;
import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.files.Directories;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.datasets.read.Dataset;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.ImageBytes;
import dev.kclip.datasets.read.PairEntry;
import dev.kclip.datasets.read.SkippedException;
import dev.kclip.ingest.push.PushOptions;
import dev.kclip.ingest.push.PushSummary;
import dev.kclip.ingest.push.Pusher;
import dev.kclip.ingest.push.RawPairProducer;
import dev.kclip.ingest.push.RawPairs;
import dev.kclip.ingest.push.progress.PushProgress;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Push throughput, as a ratio to a baseline measured in the same run: the baseline sends the same records,
 * already read and encoded, with the same producer settings; {@code kclip push} also reads each image file,
 * hashes it for the id and encodes the record. A third line times that preparation alone, without Kafka.
 * Each round writes to a fresh topic; figures are medians over the rounds.
 */
@Command(name = "bench-push", mixinStandardHelpOptions = true,
        description = "Measure push throughput (pairs/s, MB/s) against a raw-producer baseline.")
public final class PushBenchmark implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--embedded-broker", description = "Start a broker of our own in a temporary folder instead of connecting.")
    boolean embeddedBroker;

    @Option(names = "--dataset", defaultValue = "datasets/emoji-64/pairs.jsonl", paramLabel = "FILE",
            description = "JSON Lines dataset to push (default: ${DEFAULT-VALUE}).")
    Path dataset;

    @Option(names = "--rounds", defaultValue = "5", paramLabel = "N", description = "Rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--repeat", defaultValue = "5", paramLabel = "N",
            description = "Times the dataset is sent per round and producer, so connection set-up is amortised (default: ${DEFAULT-VALUE}).")
    int repeat;

    public static void main(String[] args) {
        System.exit(Cli.execute(new PushBenchmark(), args));
    }

    /** One measured pass: pairs, record bytes, seconds. */
    private record Pass(long pairs, long bytes, double seconds) {
        double pairsPerSecond() {
            return pairs / seconds;
        }

        double megabytesPerSecond() {
            return bytes / 1e6 / seconds;
        }
    }

    @Override
    public Integer call() throws IOException {
        Dataset data = new JsonlReader().read(dataset);
        Path brokerDir = embeddedBroker ? Files.createTempDirectory("kclip-bench-broker") : null;
        try (EmbeddedKafkaBroker broker = embeddedBroker ? EmbeddedKafkaBroker.start(brokerDir, 0, Duration.ofSeconds(60)) : null) {
            KafkaConnection connection = broker != null ? KafkaConnection.to(broker.bootstrapServers()) : kafka.connection();
            List<byte[]> encoded = prepare(data.name(), data.entries());
            long recordBytes = encoded.stream().mapToLong(v -> v.length).sum();
            System.out.printf(Locale.ROOT, "push benchmark: %s, %,d pairs (%.1f MB of records) sent %d times per round, %d rounds, %s%s%n",
                    data.name(), encoded.size(), recordBytes / 1e6, repeat, rounds, connection, broker != null ? " (embedded)" : "");
            List<Pass> baseline = new ArrayList<>();
            List<Pass> push = new ArrayList<>();
            List<Pass> prepareOnly = new ArrayList<>();
            runRound(connection, data, encoded, baseline, push, prepareOnly, true); // warm-up, not counted
            baseline.clear();
            push.clear();
            prepareOnly.clear();
            for (int round = 0; round < rounds; round++) {
                runRound(connection, data, encoded, baseline, push, prepareOnly, round % 2 == 0);
            }
            Pass base = median(baseline);
            System.out.printf(Locale.ROOT, "%-52s %10s %8s %12s%n", "", "pairs/s", "MB/s", "vs baseline");
            print("baseline: raw producer, records already encoded", base, base);
            print("kclip push: read file, hash, encode, send", median(push), base);
            print("preparation alone: read file, hash, encode", median(prepareOnly), base);
        } finally {
            if (brokerDir != null) {
                Directories.deleteRecursively(brokerDir);
            }
        }
        return 0;
    }

    private void runRound(KafkaConnection connection, Dataset data, List<byte[]> encoded, List<Pass> baseline,
            List<Pass> push, List<Pass> prepareOnly, boolean baselineFirst) {
        if (baselineFirst) {
            baseline.add(sendEncoded(connection, freshTopic(connection), encoded));
            push.add(pushDataset(connection, freshTopic(connection), data));
        } else {
            push.add(pushDataset(connection, freshTopic(connection), data));
            baseline.add(sendEncoded(connection, freshTopic(connection), encoded));
        }
        long start = System.nanoTime();
        long bytes = 0;
        for (int r = 0; r < repeat; r++) {
            bytes += prepare(data.name(), data.entries()).stream().mapToLong(v -> v.length).sum();
        }
        prepareOnly.add(new Pass((long) repeat * data.entries().size(), bytes, (System.nanoTime() - start) / 1e9));
    }

    private Pass sendEncoded(KafkaConnection connection, String topic, List<byte[]> encoded) {
        try (RawPairProducer producer = new RawPairProducer(connection, topic, new Properties())) {
            long start = System.nanoTime();
            long bytes = 0;
            long pairs = 0;
            for (int r = 0; r < repeat; r++) {
                for (byte[] value : encoded) {
                    producer.send("bench-" + pairs++, value);
                    bytes += value.length;
                }
                producer.flush();
            }
            return new Pass(pairs, bytes, (System.nanoTime() - start) / 1e9);
        }
    }

    private Pass pushDataset(KafkaConnection connection, String topic, Dataset data) {
        try (Pusher pusher = Pusher.open(connection, topic, PushProgress.silent())) {
            long pairs = 0;
            long bytes = 0;
            long nanos = 0;
            for (int r = 0; r < repeat; r++) {
                PushSummary summary = pusher.push(data, PushOptions.ALL_IN_ORDER);
                pairs += summary.pushed();
                bytes += summary.recordBytes();
                nanos += summary.elapsed().toNanos();
            }
            return new Pass(pairs, bytes, nanos / 1e9);
        }
    }

    /** What a push does before sending: read each file, hash it into the id, encode the record. */
    private static List<byte[]> prepare(String source, List<PairEntry> entries) {
        List<byte[]> values = new ArrayList<>(entries.size());
        Instant now = Instant.now();
        for (PairEntry entry : entries) {
            try {
                ImageCaptionPair pair = RawPairs.of(ImageBytes.read(entry), entry.caption(), entry.label(),
                        entry.attributes(), source, now);
                values.add(RawPairProducer.encode(pair));
            } catch (SkippedException e) {
                throw new IllegalStateException("the benchmark's dataset has an unreadable entry: " + e.getMessage(), e);
            }
        }
        return values;
    }

    private static String freshTopic(KafkaConnection connection) {
        TopicSpec raw = Topics.PAIRS_RAW;
        String name = "bench.pairs.raw." + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(connection.admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(
                    new TopicSpec(name, raw.partitions(), raw.config(), raw.valueType(), raw.key(), raw.description())), 0);
        }
        RawPairProducer.requireTopic(connection, name); // leaders ready before the clock starts
        return name;
    }

    private static Pass median(List<Pass> passes) {
        List<Pass> sorted = passes.stream().sorted(Comparator.comparingDouble(Pass::pairsPerSecond)).toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void print(String label, Pass pass, Pass baseline) {
        System.out.printf(Locale.ROOT, "%-52s %,10.0f %8.1f %11.2fx%n", label, pass.pairsPerSecond(), pass.megabytesPerSecond(),
                pass.pairsPerSecond() / baseline.pairsPerSecond());
    }
}
