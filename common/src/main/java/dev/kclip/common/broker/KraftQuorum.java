package dev.kclip.common.broker;

import dev.kclip.common.topics.TopicCatalogAdmin;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * A static KRaft controller quorum: the voters (node id → controller host and port) and the cluster id every node
 * of the cluster is formatted with. Each node runs broker and controller in one process, so a quorum of three
 * survives the loss of any one node, the active controller included.
 *
 * @param clusterId the id all nodes share (Kafka's base64 UUID form)
 * @param voters controller endpoint per node id, in node id order
 */
public record KraftQuorum(String clusterId, Map<Integer, HostPort> voters) {

    /** A controller endpoint. */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public KraftQuorum {
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a quorum needs at least one voter");
        }
        Uuid.fromString(clusterId); // rejects an id Kafka's formatter would not take
        voters = Map.copyOf(new LinkedHashMap<>(voters));
    }

    /** A new cluster id (for a cluster formatted for the first time). */
    public static String newClusterId() {
        return Uuid.randomUuid().toString();
    }

    /** Voters on this machine: node ids 1..n listening on {@code controllerPorts} of localhost. */
    public static KraftQuorum local(String clusterId, List<Integer> controllerPorts) {
        Map<Integer, HostPort> voters = new LinkedHashMap<>();
        for (int i = 0; i < controllerPorts.size(); i++) {
            voters.put(i + 1, new HostPort("localhost", controllerPorts.get(i)));
        }
        return new KraftQuorum(clusterId, voters);
    }

    /**
     * Parses Kafka's {@code controller.quorum.voters} form, {@code 1@host:9093,2@host:9094,...}.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code ID@HOST:PORT}
     */
    public static KraftQuorum parse(String clusterId, String voters) {
        Map<Integer, HostPort> parsed = new LinkedHashMap<>();
        for (String entry : voters.split(",")) {
            String e = entry.trim();
            int at = e.indexOf('@');
            int colon = e.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == e.length() - 1) {
                throw new IllegalArgumentException("not ID@HOST:PORT: '" + e + "'");
            }
            try {
                int id = Integer.parseInt(e.substring(0, at));
                int port = Integer.parseInt(e.substring(colon + 1));
                if (parsed.put(id, new HostPort(e.substring(at + 1, colon), port)) != null) {
                    throw new IllegalArgumentException("node " + id + " is named twice in '" + voters + "'");
                }
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("not ID@HOST:PORT: '" + e + "'", ex);
            }
        }
        return new KraftQuorum(clusterId, parsed);
    }

    /** The voters as {@code controller.quorum.voters} wants them, in node id order. */
    public String votersConfig() {
        List<String> entries = new ArrayList<>();
        voters.keySet().stream().sorted().forEach(id -> entries.add(id + "@" + voters.get(id)));
        return String.join(",", entries);
    }

    /** The controller endpoint of {@code nodeId}. */
    public HostPort controller(int nodeId) {
        HostPort endpoint = voters.get(nodeId);
        if (endpoint == null) {
            throw new IllegalArgumentException("node " + nodeId + " is not a voter of " + votersConfig());
        }
        return endpoint;
    }

    /** Copies of internal and kclip topics: three, or every node of a smaller cluster. */
    public short replicationFactor() {
        return (short) Math.min(3, voters.size());
    }

    /** Replicas that must have a write before {@code acks=all} succeeds, as {@link TopicCatalogAdmin} sets it. */
    public int minInSyncReplicas() {
        return TopicCatalogAdmin.minInSyncReplicas(replicationFactor());
    }
}
