package dev.kclip.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dead-letter topic is bounded in size as well as in time, on a real broker. */
@ExtendWith(KafkaBrokerExtension.class)
class DeadLetterTopicIT {

    @Test
    void theDeadLetterTopicIsCreatedWithASizeBoundAndATimeBound(KafkaBroker kafka) throws Exception {
        TopicSpec dlq = Topics.DEAD_LETTERS;
        TopicSpec topic = new TopicSpec("dlq.bounds-test", dlq.partitions(), dlq.config(), dlq.valueType(), dlq.key(),
                dlq.description());
        try (Admin admin = Admin.create(kafka.connection().admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(topic), 0);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
            Config config = admin.describeConfigs(Set.of(resource)).all().get().get(resource);

            assertEquals(Long.toString(1024L * 1024 * 1024), config.get("retention.bytes").value());
            assertEquals(Long.toString(Duration.ofDays(30).toMillis()), config.get("retention.ms").value());
        }
    }
}
