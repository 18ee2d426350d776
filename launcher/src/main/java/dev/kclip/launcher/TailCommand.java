package dev.kclip.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.schemas.serde.RecordDecodingException;
import dev.kclip.schemas.serde.RecordJson;
import dev.kclip.schemas.serde.SchemaCatalog;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print a topic's records decoded, one JSON object per line (committed data only).")
final class TailCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Parameters(paramLabel = "TOPIC", description = "Topic to read, e.g. kclip.pairs.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of new ones.")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
    long max = Long.MAX_VALUE;

    @Option(names = "--idle-timeout", defaultValue = "5", paramLabel = "SECONDS",
            description = "Stop once nothing has arrived for this long (default: ${DEFAULT-VALUE}).")
    double idleTimeoutSeconds;

    @Option(names = "--json", description = "Only the record's JSON on each line (for jq); otherwise prefixed with partition, offset and key.")
    boolean json;

    @Override
    public Integer call() {
        ObjectMapper mapper = new ObjectMapper();
        RecordJson renderer = new RecordJson(SchemaCatalog.bundled());
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        TopicReader.read(kafka.connection(), topic, fromBeginning, max,
                Duration.ofMillis((long) (idleTimeoutSeconds * 1000)), record -> {
                    ObjectNode value;
                    try {
                        value = renderer.render(record.value());
                    } catch (RecordDecodingException e) {
                        value = mapper.createObjectNode().put("undecodable", e.getMessage());
                    }
                    if (json) {
                        out.println(value);
                    } else {
                        String key = record.key() == null ? "-" : new String(record.key(), StandardCharsets.UTF_8);
                        out.println("p" + record.partition() + "@" + record.offset() + " " + key + " " + value);
                    }
                    out.flush();
                    return true;
                });
        return 0;
    }
}
