package dev.kclip.ingest;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.ingest.push.RawPairProducer;
import dev.kclip.ingest.topology.IngestTopics;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** What the ingest integration tests share: their own topics on the shared broker, and waiting for the app. */
public final class IngestItSupport {

    private IngestItSupport() {
    }

    /** Topics no other test uses, laid out like the catalog's (3, 3 and 1 partitions). */
    public static IngestTopics uniqueTopics(String test) {
        String suffix = test + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new IngestTopics("raw." + suffix, "pairs." + suffix, "dlq." + suffix);
    }

    public static void createTopics(KafkaConnection kafka, IngestTopics topics) {
        try (Admin admin = Admin.create(kafka.admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(
                    renamed(Topics.PAIRS_RAW, topics.input()), renamed(Topics.PAIRS, topics.output()),
                    renamed(Topics.DEAD_LETTERS, topics.deadLetters())), 0);
        }
        RawPairProducer.requireTopic(kafka, topics.input());
    }

    /** Defaults, with these topics, a state folder and an application id of their own. */
    public static IngestConfig config(IngestTopics topics, Path stateDir) {
        return IngestConfig.defaults().withTopics(topics).withStateDir(stateDir).withApplicationId("app." + topics.input());
    }

    /**
     * Waits until the group has committed offsets at the end of every partition of {@code topic}: everything
     * written there so far is processed, and (exactly-once) its output committed.
     */
    public static void awaitCaughtUp(KafkaConnection kafka, String group, String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(kafka.admin())) {
            while (true) {
                Map<TopicPartition, Long> ends = endOffsets(admin, topic);
                Map<TopicPartition, Long> committed = committed(admin, group);
                boolean caughtUp = ends.entrySet().stream()
                        .allMatch(e -> e.getValue() == 0 || e.getValue().equals(committed.get(e.getKey())));
                if (caughtUp) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("group " + group + " did not catch up with " + topic + " within " + timeout
                            + ": end offsets " + ends + ", committed " + committed);
                }
                Thread.sleep(200);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    /** Total offsets the group has committed on {@code topic}. */
    public static long committedTotal(KafkaConnection kafka, String group, String topic) {
        try (Admin admin = Admin.create(kafka.admin())) {
            return committed(admin, group).entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                    .mapToLong(Map.Entry::getValue).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every committed record of {@code topic} (read_committed), once nothing new arrived for a second. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaConnection kafka, String topic) {
        return TopicReader.readAll(kafka, topic, Long.MAX_VALUE, Duration.ofMillis(1500));
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> request = java.util.stream.IntStream.range(0, partitions)
                .boxed().collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                admin.listOffsets(request).all().get(30, TimeUnit.SECONDS);
        return result.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        return offsets.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static TopicSpec renamed(TopicSpec spec, String name) {
        return new TopicSpec(name, spec.partitions(), spec.config(), spec.valueType(), spec.key(), spec.description());
    }
}
