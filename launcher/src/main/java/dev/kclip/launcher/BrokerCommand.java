package dev.kclip.launcher;

import dev.kclip.common.broker.EmbeddedKafkaBroker;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.launcher.pipeline.Pipeline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a real single-node KRaft Kafka broker in the foreground (Ctrl-C stops it).")
final class BrokerCommand implements Callable<Integer> {

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

    @Override
    public Integer call() {
        long start = System.nanoTime();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data, bind, advertisedHost, port, Duration.ofSeconds(60));
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kclip-broker-shutdown"));
        System.out.printf("kclip broker ready on %s in %.1f s (data: %s)%n", broker.bootstrapServers(),
                (System.nanoTime() - start) / 1e9, broker.dataDir());
        System.out.flush();
        broker.awaitShutdown();
        return 0;
    }
}
