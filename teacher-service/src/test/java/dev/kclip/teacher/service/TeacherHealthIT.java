package dev.kclip.teacher.service;

import static dev.kclip.teacher.service.ServiceTestKit.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.metrics.Health;
import dev.kclip.common.service.FailureWindow;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A teacher whose every batch aborts (the broker refuses its output) turns DOWN with the reason. */
@ExtendWith(KafkaBrokerExtension.class)
class TeacherHealthIT {

    @Test
    void aTeacherWhoseEveryBatchAbortsTurnsDown(KafkaBroker broker) throws Exception {
        KafkaConnection kafka = broker.connection();
        String name = "teacher-health-it";
        ServiceTestKit.createTopics(kafka, name, 1);
        try (Admin admin = Admin.create(kafka.admin())) {
            ConfigResource output = new ConfigResource(ConfigResource.Type.TOPIC, name + ".embeddings");
            admin.incrementalAlterConfigs(Map.of(output, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", "100"), AlterConfigOp.OpType.SET)))).all().get();
        }
        ServiceTestKit.produce(kafka, name + ".pairs", List.of(ServiceTestKit.pair("a small red apple", 1)));
        TeacherServiceConfig config = TeacherServiceConfig.defaults("llama2c:" + TestCheckpoints.fixture())
                .withTopics(name + ".pairs", name + ".embeddings", name + ".dlq")
                .withGroup(name, "health-0")
                .withBatching(4096, 8, Duration.ofMillis(20));

        try (TeacherService service = TeacherService.start(config, kafka, new SimpleMeterRegistry(),
                new FailureWindow.Policy(3, Duration.ofMinutes(5)))) {
            await(() -> service.health().status() == Health.Status.DOWN, Duration.ofSeconds(90), "the teacher DOWN");
            String detail = service.health().detail();
            assertTrue(detail.contains("aborted batches in a row in the last 5 min (DOWN from 3)"), detail);
            assertTrue(service.isRunning(), "it keeps retrying: DOWN is for the supervisor to act on");
        }
    }
}
