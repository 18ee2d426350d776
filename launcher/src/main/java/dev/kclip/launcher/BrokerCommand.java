package dev.kclip.launcher;

import dev.kclip.common.broker.EmbeddedKafkaBroker;
import dev.kclip.common.broker.KraftQuorum;
import dev.kclip.common.cli.UserException;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.launcher.pipeline.Pipeline;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true, subcommands = BrokerCommand.ClusterId.class,
        description = {"Run a real KRaft Kafka broker in the foreground (Ctrl-C stops it): a single-node cluster, or with"
                + " --quorum one node (broker + controller) of a cluster of several.",
            "A cluster of three on one machine: start these three together (each waits for a quorum), same --cluster-id:",
            "  kclip broker --data d1 --port 9092 --node-id 1 --quorum 1@localhost:9192,2@localhost:9193,3@localhost:9194 --cluster-id ID",
            "  (and --data d2 --port 9093 --node-id 2, --data d3 --port 9094 --node-id 3); `kclip cluster up` does it for you."})
final class BrokerCommand implements Callable<Integer> {

    /** How the ready line starts: what a process waiting for the broker looks for. */
    static final String READY_LINE = "kclip broker ready";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    @Option(names = "--data", paramLabel = "DIR",
            description = "Log directory; kept across restarts (default: ${DEFAULT-VALUE}).")
    Path data = UpCommand.DEFAULT_HOME.resolve(Pipeline.BROKER_DIR);

    @Option(names = "--port", description = "Client port (default: ${DEFAULT-VALUE}).")
    int port = KafkaConnection.DEFAULT_PORT;

    @Option(names = "--bind", description = "Interface to listen on; 0.0.0.0 for all (default: ${DEFAULT-VALUE}).")
    String bind = KafkaConnection.DEFAULT_HOST;

    @Option(names = "--advertised-host",
            description = "Host name clients are told to connect to, e.g. a container's network alias (default: ${DEFAULT-VALUE}).")
    String advertisedHost = KafkaConnection.DEFAULT_HOST;

    @Option(names = "--quorum", paramLabel = "ID@HOST:PORT,...",
            description = "The controller quorum of a cluster (Kafka's controller.quorum.voters); this node is --node-id of it."
                    + " Without it: a single-node cluster.")
    String quorum;

    @Option(names = "--node-id", paramLabel = "N", description = "This node's id in --quorum (default: ${DEFAULT-VALUE}).")
    int nodeId = 1;

    @Option(names = "--cluster-id", paramLabel = "ID",
            description = "The id every node of the cluster is formatted with (make one with `kclip broker cluster-id`);"
                    + " needed with --quorum when --data holds no node yet.")
    String clusterId;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        EmbeddedKafkaBroker broker = quorum == null
                ? EmbeddedKafkaBroker.start(data, bind, advertisedHost, port, READY_TIMEOUT)
                : EmbeddedKafkaBroker.startNode(data, bind, advertisedHost, port, nodeId, quorum(), READY_TIMEOUT);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kclip-broker-shutdown"));
        System.out.printf("%s on %s in %.1f s (data: %s%s)%n", READY_LINE, broker.bootstrapServers(),
                (System.nanoTime() - start) / 1e9, broker.dataDir(), quorum == null ? "" : ", node " + nodeId + " of " + quorum);
        System.out.flush();
        broker.awaitShutdown();
        return 0;
    }

    private KraftQuorum quorum() {
        String id = clusterId == null ? formattedClusterId() : clusterId;
        try {
            return KraftQuorum.parse(id, quorum);
        } catch (IllegalArgumentException e) {
            throw new UserException("--quorum/--cluster-id: " + e.getMessage());
        }
    }

    /** The cluster id a node formatted before keeps in its {@code meta.properties}. */
    private String formattedClusterId() {
        Path meta = data.resolve("meta.properties");
        if (!Files.exists(meta)) {
            throw new UserException("--cluster-id is needed to format " + data + " as a node of " + quorum);
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(meta)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UserException("cannot read " + meta + ": " + e.getMessage(), e);
        }
        return props.getProperty("cluster.id");
    }

    /** {@code kclip broker cluster-id}: prints a new cluster id for the nodes of a new cluster. */
    @Command(name = "cluster-id", mixinStandardHelpOptions = true, description = "Print a new cluster id.")
    static final class ClusterId implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println(KraftQuorum.newClusterId());
            return 0;
        }
    }
}
