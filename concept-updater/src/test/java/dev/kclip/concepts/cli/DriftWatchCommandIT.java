package dev.kclip.concepts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.testdata.TestTopics;
import dev.kclip.schemas.DriftLevel;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

@ExtendWith(KafkaBrokerExtension.class)
class DriftWatchCommandIT {

    @Test
    void printsOneLinePerReportAndSkipsWhatIsNotAReport(KafkaBroker kafka) throws Exception {
        String topic = "drift-watch-" + UUID.randomUUID();
        try (Admin admin = Admin.create(kafka.connection().admin())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            TestTopics.awaitLeaders(admin, List.of(topic));
        }
        AvroCodec<DriftReport> codec = AvroCodec.forClass(DriftReport.class);
        Properties props = kafka.connection().producer();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (byte[] value : List.of(codec.encode(DriftLinesTest.report(0, DriftLevel.OK, List.of())),
                    "not a report".getBytes(StandardCharsets.UTF_8),
                    codec.encode(DriftLinesTest.report(1, DriftLevel.ALERT, List.of(2))))) {
                producer.send(new ProducerRecord<>(topic, value)).get(60, TimeUnit.SECONDS);
            }
        }

        DriftWatchCommand command = new DriftWatchCommand();
        new CommandLine(command).parseArgs("--bootstrap", kafka.bootstrapServers(), "--topic", topic,
                "--from-beginning", "--max", "2");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long shown = command.watch(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, shown);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).contains("window 0 OK"), lines.get(0));
        assertTrue(lines.get(1).contains("window 1 ALERT") && lines.get(1).contains("reseeded [2]"), lines.get(1));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("skipped " + topic + "-0@1"), err.toString());
    }
}
