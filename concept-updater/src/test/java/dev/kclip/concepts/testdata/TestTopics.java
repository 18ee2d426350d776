package dev.kclip.concepts.testdata;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** Helpers for topics tests create on the shared broker. */
public final class TestTopics {

    private TestTopics() {
    }

    /**
     * Waits until the broker serves every partition of new topics: right after creation it may still answer
     * NOT_LEADER_OR_FOLLOWER, which can throw an idempotent producer's sequence numbers off.
     */
    public static void awaitLeaders(Admin admin, List<String> names) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                // describing may fail too (UNKNOWN_TOPIC_OR_PARTITION) until the new topics' metadata has spread
                Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).forEach((name, description) ->
                        description.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()),
                                OffsetSpec.latest())));
                admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

}
