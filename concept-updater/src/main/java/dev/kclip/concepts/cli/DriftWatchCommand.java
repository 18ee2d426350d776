package dev.kclip.concepts.cli;

import dev.kclip.common.cli.DurationConverter;
import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.schemas.serde.RecordDecodingException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kclip drift watch}: one readable line per drift report, as they arrive. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Print drift reports as they arrive, one line each (Ctrl-C to stop).")
public final class DriftWatchCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--from-beginning", description = "Start with the reports already in the topic.")
    boolean fromBeginning;

    @Option(names = "--teacher", paramLabel = "MODEL_ID", description = "Only this teacher model's reports.")
    String teacher;

    @Option(names = "--max", description = "Stop after this many reports; 0 = never (default).")
    long max = 0;

    @Option(names = "--idle-timeout", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Stop when no report came for this long (default: never).")
    Duration idleTimeout;

    @Option(names = "--topic", description = "Drift topic (default: kclip.concepts.drift).")
    String topic = Topics.DRIFT.name();

    @Override
    public Integer call() {
        watch(System.out, System.err);
        return 0;
    }

    /** Reads reports until {@code --max}, {@code --idle-timeout} or the process ends. */
    long watch(PrintStream out, PrintStream err) {
        AvroCodec<DriftReport> codec = AvroCodec.forClass(DriftReport.class);
        long[] shown = {0};
        TopicReader.read(kafka.connection(), topic, fromBeginning, Long.MAX_VALUE,
                idleTimeout == null ? Duration.ofDays(36_500) : idleTimeout, record -> {
                    try {
                        DriftReport report = codec.decode(record.value());
                        if (teacher == null || teacher.equals(report.getTeacherModelId())) {
                            out.println(DriftLines.format(report));
                            out.flush();
                            shown[0]++;
                        }
                    } catch (RecordDecodingException e) {
                        err.println("skipped " + record.topic() + "-" + record.partition() + "@" + record.offset()
                                + ": " + e.getMessage());
                    }
                    return max <= 0 || shown[0] < max;
                });
        return shown[0];
    }
}
