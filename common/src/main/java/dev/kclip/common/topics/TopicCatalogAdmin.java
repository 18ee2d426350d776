package dev.kclip.common.topics;

import dev.kclip.schemas.TopicSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the catalog's topics idempotently and describes them. */
public final class TopicCatalogAdmin {

    private static final long TIMEOUT_SECONDS = 30;

    /** What {@link #ensure} did for one topic. */
    public record Outcome(String topic, boolean created, int partitions, short replicationFactor) {
    }

    /** One existing topic of the catalog, as the cluster describes it. */
    public record Described(TopicSpec spec, boolean exists, int partitions) {
    }

    private final Admin admin;

    public TopicCatalogAdmin(Admin admin) {
        this.admin = admin;
    }

    /**
     * Creates every topic that does not exist yet, with the catalog's partitions (or {@code partitionsOverride}
     * when positive) and configuration, replicated min(3, brokers) times. Existing topics are left as they are.
     */
    public List<Outcome> ensure(List<TopicSpec> topics, int partitionsOverride) {
        return ensure(topics, partitionsOverride, 0);
    }

    /**
     * As {@link #ensure(List, int)}, replicated {@code replicationFactor} times when it is positive. With three or
     * more replicas a new topic also gets {@code min.insync.replicas} = {@link #minInSyncReplicas(short)}, so an
     * {@code acks=all} write is on two brokers before it counts, and one broker may fail without stopping writes.
     */
    public List<Outcome> ensure(List<TopicSpec> topics, int partitionsOverride, int replicationFactor) {
        try {
            int brokers = admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).size();
            if (replicationFactor > brokers) {
                throw new IllegalArgumentException("replication factor " + replicationFactor + " needs as many brokers; the cluster has "
                        + brokers);
            }
            short replication = replicationFactor > 0 ? (short) replicationFactor : (short) Math.max(1, Math.min(3, brokers));
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<Outcome> outcomes = new ArrayList<>();
            for (TopicSpec spec : topics) {
                int partitions = partitionsOverride > 0 ? partitionsOverride : spec.partitions();
                boolean created = false;
                if (!existing.contains(spec.name())) {
                    NewTopic topic = new NewTopic(spec.name(), partitions, replication).configs(config(spec, replication));
                    try {
                        admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        created = true;
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
                outcomes.add(new Outcome(spec.name(), created, partitions, replication));
            }
            return outcomes;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT_SECONDS + " s while creating topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The {@code min.insync.replicas} of a topic with {@code replicationFactor} copies: 2 from three copies on, else
     * 1 (the broker default, so a single broker or a pair keeps accepting writes).
     */
    public static int minInSyncReplicas(short replicationFactor) {
        return replicationFactor >= 3 ? 2 : 1;
    }

    private static Map<String, String> config(TopicSpec spec, short replication) {
        if (replication < 3) {
            return spec.config();
        }
        Map<String, String> config = new HashMap<>(spec.config());
        config.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInSyncReplicas(replication)));
        return config;
    }

    /** The catalog's topics as they exist on the cluster. */
    public List<Described> describe(List<TopicSpec> topics) {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<String> present = topics.stream().map(TopicSpec::name).filter(existing::contains).toList();
            Map<String, TopicDescription> descriptions =
                    admin.describeTopics(present).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return topics.stream().map(spec -> {
                TopicDescription d = descriptions.get(spec.name());
                return new Described(spec, d != null, d == null ? 0 : d.partitions().size());
            }).toList();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT_SECONDS + " s while listing topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
