package dev.kclip.ingest;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.ingest.topology.IngestTopics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;

/**
 * The ingest stage alone in a JVM, for tests that kill it with SIGKILL. Arguments: bootstrap servers, application
 * id, state folder, input, output and dead-letter topics. Prints {@code RUNNING} once the stream threads run.
 */
public final class IngestChildProcess {

    private IngestChildProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        IngestConfig config = IngestConfig.defaults()
                .withApplicationId(args[1])
                .withStateDir(Path.of(args[2]))
                .withTopics(new IngestTopics(args[3], args[4], args[5]))
                // a killed member leaves the group after its session times out: keep that short; long transactions
                // whose records go out at once, so a kill lands inside one that already wrote output
                .withStreamsOverrides(Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1500",
                        "commit.interval.ms", "2000", "producer.linger.ms", "0"));
        IngestService service = IngestService.start(config, KafkaConnection.to(args[0]), new SimpleMeterRegistry());
        while (service.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
            Thread.sleep(50);
        }
        System.out.println("RUNNING");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
