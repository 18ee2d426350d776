package dev.kclip.common.kafka;

import dev.kclip.schemas.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * How a service reaches Kafka: the bootstrap servers plus any client properties the user supplies in a standard
 * Kafka properties file (SASL, TLS, timeouts), passed through untouched. Services add only what their guarantees
 * need (idempotence, isolation level, transactional ids) on top.
 */
public final class KafkaConnection {

    /** Environment variable with the bootstrap servers when {@code --bootstrap} is not given. */
    public static final String BOOTSTRAP_ENV = "KCLIP_BOOTSTRAP";
    /** Host of a broker on this machine, as clients and {@code kclip broker} name it by default. */
    public static final String DEFAULT_HOST = "localhost";
    /** Kafka's usual client port, of {@code kclip broker} and the broker of {@code kclip up}. */
    public static final int DEFAULT_PORT = 9092;
    public static final String DEFAULT_BOOTSTRAP = DEFAULT_HOST + ":" + DEFAULT_PORT;

    private final Properties base;

    private KafkaConnection(Properties base) {
        this.base = base;
    }

    /** Connection to {@code bootstrap} with no other client properties. */
    public static KafkaConnection to(String bootstrap) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaConnection(props);
    }

    /**
     * Resolves the connection the way every command does: an explicit {@code --bootstrap} wins, then
     * {@code bootstrap.servers} in the properties file, then {@value #BOOTSTRAP_ENV}, then {@value #DEFAULT_BOOTSTRAP}.
     *
     * @param explicitBootstrap the {@code --bootstrap} value, or null
     * @param clientConfig a Kafka client properties file, or null
     * @param environment the process environment (a parameter so it can be tested)
     */
    public static KafkaConnection resolve(String explicitBootstrap, Path clientConfig, Map<String, String> environment) {
        Properties props = new Properties();
        if (clientConfig != null) {
            try (Reader reader = Files.newBufferedReader(clientConfig, StandardCharsets.UTF_8)) {
                props.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read Kafka client config " + clientConfig + ": " + e.getMessage(), e);
            }
        }
        if (explicitBootstrap != null && !explicitBootstrap.isBlank()) {
            props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, explicitBootstrap);
        } else if (!props.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            String env = environment.get(BOOTSTRAP_ENV);
            props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                    env == null || env.isBlank() ? DEFAULT_BOOTSTRAP : env);
        }
        return new KafkaConnection(props);
    }

    public String bootstrapServers() {
        return base.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }

    /** The user's client properties plus bootstrap, for an admin client. */
    public Properties admin() {
        return copy();
    }

    /** Properties for an idempotent producer (acks=all); add a transactional id for exactly-once. */
    public Properties producer() {
        Properties props = copy();
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_MESSAGE_BYTES));
        return props;
    }

    /** Properties for a consumer in {@code groupId} that reads committed data only and commits itself. */
    public Properties consumer(String groupId) {
        Properties props = copy();
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_MESSAGE_BYTES));
        return props;
    }

    /**
     * Properties for the consumer of a stage whose exactly-once guarantee rests on it: as {@link #consumer}, but
     * read_committed and no auto-commit whatever the user's properties say (an aborted upstream transaction must
     * never be processed, and offsets are committed only with the stage's own output).
     */
    public Properties exactlyOnceConsumer(String groupId) {
        Properties props = consumer(groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return props;
    }

    /** The user's properties as they were given, plus bootstrap (for frameworks that add their own). */
    public Properties clientProperties() {
        return copy();
    }

    private Properties copy() {
        Properties props = new Properties();
        props.putAll(base);
        return props;
    }

    @Override
    public String toString() {
        return "Kafka at " + bootstrapServers();
    }
}
