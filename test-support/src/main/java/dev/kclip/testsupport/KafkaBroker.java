package dev.kclip.testsupport;

import dev.kclip.common.kafka.KafkaConnection;

/** The broker a test runs against, injected by {@link KafkaBrokerExtension} as a test or lifecycle parameter. */
public interface KafkaBroker {

    /** {@code host:port} for {@code bootstrap.servers}. */
    String bootstrapServers();

    /** A connection with no extra client properties. */
    default KafkaConnection connection() {
        return KafkaConnection.to(bootstrapServers());
    }
}
