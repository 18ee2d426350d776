package dev.kclip.common.cli;

import dev.kclip.common.kafka.KafkaConnection;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The Kafka connection options every command shares ({@code @Mixin KafkaOptions kafka}). */
public final class KafkaOptions {

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (default: $" + KafkaConnection.BOOTSTRAP_ENV + ", else "
                    + KafkaConnection.DEFAULT_BOOTSTRAP + ").")
    String bootstrap;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties (SASL, TLS, ...), passed to every client untouched.")
    Path kafkaConfig;

    /**
     * Whether the user named a Kafka cluster (by flag, properties file or {@code $KCLIP_BOOTSTRAP}); commands that
     * can start an embedded broker ({@code kclip up}) start one only when this is false.
     */
    public boolean clusterGiven() {
        String env = System.getenv(KafkaConnection.BOOTSTRAP_ENV);
        return bootstrap != null || kafkaConfig != null || env != null && !env.isBlank();
    }

    /** The connection these options name. */
    public KafkaConnection connection() {
        return KafkaConnection.resolve(bootstrap, kafkaConfig, System.getenv());
    }
}
