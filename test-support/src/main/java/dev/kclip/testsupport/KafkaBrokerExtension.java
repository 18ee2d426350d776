package dev.kclip.testsupport;

import dev.kclip.common.broker.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Gives integration tests a real Kafka broker, started once per test JVM and shared by every class that uses the
 * extension (tests isolate themselves with their own topic names or consumer groups).
 *
 * <p>By default the broker is the project's embedded KRaft broker on a free port. With
 * {@code -Dkclip.test.kafka=testcontainers} it is a container instead ({@code apache/kafka:4.1.1} unless
 * {@code -Dkclip.test.kafka.image} names another), for machines with a Docker engine and the image.
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class MyIT {
 *     @Test void roundTrip(KafkaBroker kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 */
public final class KafkaBrokerExtension implements ParameterResolver {

    public static final String MODE_PROPERTY = "kclip.test.kafka";
    public static final String IMAGE_PROPERTY = "kclip.test.kafka.image";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("broker", key -> start(), StartedBroker.class);
    }

    private static StartedBroker start() {
        String mode = System.getProperty(MODE_PROPERTY, "embedded");
        return switch (mode) {
            case "embedded" -> new Embedded();
            case "testcontainers" -> new Container(System.getProperty(IMAGE_PROPERTY, "apache/kafka:4.1.1"));
            default -> throw new IllegalArgumentException(MODE_PROPERTY + " must be embedded or testcontainers, not " + mode);
        };
    }

    /** A started broker that JUnit closes when the test JVM's root context ends. */
    private interface StartedBroker extends KafkaBroker, AutoCloseable {
    }

    private static final class Embedded implements StartedBroker {
        private final Path dataDir;
        private final EmbeddedKafkaBroker broker;

        Embedded() {
            try {
                dataDir = Files.createTempDirectory("kclip-test-kafka");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            broker = EmbeddedKafkaBroker.start(dataDir, 0, Duration.ofSeconds(60));
        }

        @Override
        public String bootstrapServers() {
            return broker.bootstrapServers();
        }

        @Override
        public void close() throws IOException {
            broker.close();
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static final class Container implements StartedBroker {
        private final KafkaContainer container;

        Container(String image) {
            container = new KafkaContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"));
            container.start();
        }

        @Override
        public String bootstrapServers() {
            return container.getBootstrapServers();
        }

        @Override
        public void close() {
            container.stop();
        }
    }
}
