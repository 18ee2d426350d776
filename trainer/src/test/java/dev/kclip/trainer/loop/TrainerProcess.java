package dev.kclip.trainer.loop;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A trainer in a process of its own, for the crash test: it journals every step ({@code step N id id ...}, stream
 * examples only) and checkpoint ({@code checkpoint VERSION STEP}) to a file, a line at a time, and trains until
 * it is killed.
 */
public final class TrainerProcess {

    private TrainerProcess() {
    }

    /** Args: bootstrap, topic, checkpoint directory, journal file, run id. */
    public static void main(String[] args) throws Exception {
        TrainerConfig config = CrashResumeIT.config(args[1], Path.of(args[2]), args[4]);
        Writer journal = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        TrainerService service = TrainerService.start(config, KafkaConnection.to(args[0]), new SimpleMeterRegistry(),
                new Journal(journal));
        service.awaitTermination(Duration.ofHours(1));
    }

    /** Writes and flushes one line per event, so a kill loses nothing already reported. */
    record Journal(Writer out) implements TrainingListener {
        @Override
        public void onStep(StepReport report) {
            write("step " + report.step() + " " + String.join(" ", report.freshIds()));
        }

        @Override
        public void onCheckpoint(StoredCheckpoint checkpoint) {
            write("checkpoint " + checkpoint.version() + " " + checkpoint.manifest().step());
        }

        private void write(String line) {
            try {
                out.write(line + "\n");
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
