package dev.kclip.common.broker;

import dev.kclip.schemas.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka broker in KRaft mode (broker and controller in one process), built from Kafka's own server code:
 * a single-node cluster ({@link #start}) or one node of a multi-node cluster with a static controller quorum
 * ({@link #startNode}). Its log directory is formatted on first start and reused afterwards, so topics and records
 * survive restarts, {@code kill -9} included (Kafka recovers the log segments on start).
 *
 * <p>Few partitions for the offsets and transaction-state topics (so it starts fast), transactions up to an hour
 * (Flink's default timeout). Internal topics and topics created without a replication factor get the quorum's
 * {@link KraftQuorum#replicationFactor()} copies and {@link KraftQuorum#minInSyncReplicas()}: 1 and 1 alone, 3 and
 * 2 in a cluster of three.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final int SINGLE_NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int port;
    private final String advertisedHost;

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, int port, String advertisedHost) {
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
        this.advertisedHost = advertisedHost;
    }

    /**
     * Starts a broker and waits until it answers clients.
     *
     * @param dataDir log directory; formatted when it holds no broker yet
     * @param port client port, or 0 for a free one
     * @param readyTimeout how long to wait for the broker to answer
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, Duration readyTimeout) {
        return start(dataDir, "localhost", "localhost", port, readyTimeout);
    }

    /**
     * Starts a broker reachable from other machines or containers.
     *
     * @param bindHost interface the client listener binds to ({@code 0.0.0.0} for all)
     * @param advertisedHost the host name clients are told to connect to (e.g. the container's network alias)
     */
    public static EmbeddedKafkaBroker start(Path dataDir, String bindHost, String advertisedHost, int port,
            Duration readyTimeout) {
        KraftQuorum alone = KraftQuorum.local(KraftQuorum.newClusterId(), List.of(freePort()));
        return startNode(dataDir, bindHost, advertisedHost, port, SINGLE_NODE_ID, alone, readyTimeout);
    }

    /**
     * Starts one node of a cluster and waits until it answers clients. The first start of a cluster must start a
     * majority of the voters together (each waits for a quorum before it answers); a restarted node rejoins the
     * running quorum. The cluster id of the log directory wins over the quorum's once it is formatted.
     *
     * @param dataDir log directory; formatted with the quorum's cluster id and {@code nodeId} when it holds no node
     * @param port client port, or 0 for a free one
     * @param nodeId this node's id, one of the quorum's voters (its controller listens on the voter's port)
     */
    public static EmbeddedKafkaBroker startNode(Path dataDir, String bindHost, String advertisedHost, int port,
            int nodeId, KraftQuorum quorum, Duration readyTimeout) {
        int clientPort = port == 0 ? freePort() : port;
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create broker data directory " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Object> props = config(dir, bindHost, advertisedHost, clientPort, nodeId, quorum);
        KafkaConfig config = new KafkaConfig(props, false);
        if (!Files.exists(dir.resolve("meta.properties"))) {
            format(config, dir, nodeId, quorum.clusterId());
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, dir, clientPort, advertisedHost);
        try {
            server.startup();
            broker.awaitReady(readyTimeout);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** {@code advertised-host:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return advertisedHost + ":" + port;
    }

    /** The client port. */
    public int port() {
        return port;
    }

    /** The log directory (absolute). */
    public Path dataDir() {
        return dataDir;
    }

    /** Blocks until the broker has shut down (used by the foreground {@code kclip broker}). */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    /** Shuts the broker down cleanly; idempotent. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private static Map<String, Object> config(Path dir, String bindHost, String advertisedHost, int clientPort,
            int nodeId, KraftQuorum quorum) {
        KraftQuorum.HostPort controller = quorum.controller(nodeId);
        String replicas = Short.toString(quorum.replicationFactor());
        String minIsr = Integer.toString(quorum.minInSyncReplicas());
        Map<String, Object> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(nodeId));
        props.put("controller.quorum.voters", quorum.votersConfig());
        props.put("listeners", "PLAINTEXT://" + bindHost + ":" + clientPort + "," + CONTROLLER_LISTENER + "://"
                + controller.host() + ":" + controller.port());
        props.put("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + clientPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dir.toString());
        // topics are created on purpose (kclip topics create, tests), never by a typo in a topic name
        props.put("auto.create.topics.enable", "false");
        props.put("num.partitions", "1");
        // Kafka Streams' changelog and repartition topics take the broker's defaults
        props.put("default.replication.factor", replicas);
        props.put("min.insync.replicas", minIsr);
        props.put("offsets.topic.replication.factor", replicas);
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", replicas);
        props.put("transaction.state.log.min.isr", minIsr);
        props.put("transaction.state.log.num.partitions", "5");
        props.put("transaction.max.timeout.ms", Long.toString(TimeUnit.HOURS.toMillis(1)));
        props.put("share.coordinator.state.topic.replication.factor", replicas);
        props.put("share.coordinator.state.topic.min.isr", minIsr);
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("message.max.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES));
        props.put("replica.fetch.max.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES));
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        return props;
    }

    private static void format(KafkaConfig config, Path dir, int nodeId, String clusterId) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setClusterId(clusterId)
                    .setNodeId(nodeId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(dir.toString())
                    .setDirectories(Set.of(dir.toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setUnstableFeatureVersionsEnabled(config.unstableFeatureVersionsEnabled())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka log directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
                            .nodes().get(3, TimeUnit.SECONDS).size();
                    if (brokers > 0) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not answering yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka broker on port " + port + " not ready after " + timeout);
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }

    /** A port of localhost no process listens on now (for a broker's or a controller's listener). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("localhost", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port: " + e.getMessage(), e);
        }
    }
}
