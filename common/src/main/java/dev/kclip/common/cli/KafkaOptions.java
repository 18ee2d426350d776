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

    /** The connection these options name. */
    public KafkaConnection connection() {
        return KafkaConnection.resolve(bootstrap, kafkaConfig, System.getenv());
    }
}
