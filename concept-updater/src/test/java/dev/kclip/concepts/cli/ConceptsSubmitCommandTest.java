package dev.kclip.concepts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@code kclip concepts submit} hands the job jar's main: its Kafka and job options, none of its own. */
class ConceptsSubmitCommandTest {

    @Test
    void passesTheJobOptionsAsWrittenAndKeepsItsOwn() {
        ConceptsSubmitCommand submit = new ConceptsSubmitCommand();
        new CommandLine(submit).parseArgs("--jobmanager", "flink:8081", "--jar", "job.jar", "--force",
                "--bootstrap", "kafka:9092", "--k=16", "--no-resume", "--parallelism", "2",
                "--checkpoint-dir", "s3://b/ckpt");
        assertEquals(List.of("--bootstrap", "kafka:9092", "--k", "16", "--no-resume", "--parallelism", "2",
                "--checkpoint-dir", "s3://b/ckpt"), submit.jobArguments());
        assertEquals("flink:8081", submit.jobManager);
    }
}
