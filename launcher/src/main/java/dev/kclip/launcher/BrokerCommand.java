package dev.kclip.launcher;

import dev.kclip.common.broker.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a real single-node KRaft Kafka broker in the foreground (Ctrl-C stops it).")
final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = ".kclip/kafka",
            description = "Log directory; kept across restarts (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--port", defaultValue = "9092", description = "Client port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "localhost",
            description = "Interface to listen on; 0.0.0.0 for all (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--advertised-host", defaultValue = "localhost",
            description = "Host name clients are told to connect to, e.g. a container's network alias (default: ${DEFAULT-VALUE}).")
    String advertisedHost;

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
