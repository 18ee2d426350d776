package dev.kclip.concepts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kclip.concepts.job.ConceptJobConfig;
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

    @Test
    void saysWhyNothingWasRestored() {
        assertEquals("nothing to restore", ConceptsSubmitCommand.nothingBecause(config("--checkpoint-dir",
                "file:///tmp/ckpt", "--savepoint-dir", "/tmp/sp")));
        assertEquals("--no-resume", ConceptsSubmitCommand.nothingBecause(config("--checkpoint-dir", "s3://b/ckpt",
                "--no-resume")));
        assertEquals("only local directories are searched, not s3://b/ckpt: pass --from-savepoint PATH to restore"
                + " from one", ConceptsSubmitCommand.nothingBecause(config("--checkpoint-dir", "s3://b/ckpt",
                "--savepoint-dir", "/tmp/sp")));
    }

    private static ConceptJobConfig config(String... args) {
        ConceptsSubmitCommand submit = new ConceptsSubmitCommand();
        String[] all = new String[args.length + 2];
        all[0] = "--jobmanager";
        all[1] = "flink:8081";
        System.arraycopy(args, 0, all, 2, args.length);
        new CommandLine(submit).parseArgs(all);
        return submit.job.toConfig();
    }
}
