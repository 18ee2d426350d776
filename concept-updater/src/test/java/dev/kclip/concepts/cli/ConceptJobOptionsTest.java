package dev.kclip.concepts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.cli.DurationConverter;
import dev.kclip.common.cli.EnvironmentDefaults;
import dev.kclip.concepts.bench.ConceptBench;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.concepts.job.ConceptJobMain;
import dev.kclip.concepts.kmeans.Decay;
import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.kmeans.Kernel;
import dev.kclip.concepts.lifecycle.LifecycleSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ConceptJobOptionsTest {

    private static ConceptJobConfig parse(String... args) {
        ConceptJobOptions options = new ConceptJobOptions();
        new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return options.toConfig();
    }

    @Test
    void defaultsAreTheConfigDefaults() {
        ConceptJobConfig config = parse();
        ConceptJobConfig defaults = ConceptJobConfig.defaults();
        assertEquals(defaults, config);
        assertEquals(64, config.concepts().kmeans().k());
        assertEquals(2_048, config.concepts().effectiveBootstrapSize()); // max(2048, 20·64)
        assertEquals("kclip.teacher.embeddings", config.topics().input());
        assertEquals(128, config.concepts().effectiveMaxConcepts()); // 2·K
        assertEquals(2_048, config.concepts().effectiveBootstrapWindow()); // W = B
    }

    @Test
    void lifeCycleOptionsSetTheLifecycleSettings() {
        LifecycleSettings lifecycle = parse("--max-k", "96", "--novelty-buffer", "32", "--merge-ratio", "0.1",
                "--retire-ratio", "0.2", "--retire-window", "1000", "--target-entropy", "0.5",
                "--bootstrap-window", "4096").concepts().lifecycle();
        assertEquals(new LifecycleSettings(96, 32, 0.1, 0.2, 1000, 0.5, 4096), lifecycle);
    }

    @Test
    void environmentVariablesStillSetOptions() {
        ConceptJobOptions options = new ConceptJobOptions();
        new CommandLine(options).setDefaultValueProvider(new EnvironmentDefaults(Map.of("KCLIP_K", "12",
                "KCLIP_DRIFT_FALSE_ALARM_RATE", "0.002"))).parseArgs("--batch", "64");
        ConceptJobConfig config = options.toConfig();
        assertEquals(12, config.concepts().kmeans().k());
        assertEquals(0.002, config.concepts().drift().falseAlarmRate());
        assertEquals(64, config.concepts().batchSize());
        assertEquals(ConceptJobConfig.defaults().concepts().drift().windowRecords(),
                config.concepts().drift().windowRecords());
    }

    @Test
    void benchDefaultsAreTheStandardPlanAndOptionsReplaceThem() {
        ConceptsBenchCommand bench = new ConceptsBenchCommand();
        new CommandLine(bench).parseArgs();
        assertEquals(ConceptBench.Plan.standard().dims(), bench.dims);
        assertEquals(ConceptBench.Plan.standard().seconds(), bench.seconds);
        new CommandLine(bench = new ConceptsBenchCommand()).parseArgs("--ks", "8");
        assertEquals(List.of(8), bench.ks);
    }

    @Test
    void optionsMapToTheirFields() {
        ConceptJobConfig config = parse("--k", "256", "--distance", "euclidean", "--kernel", "student_t",
                "--temperature", "0.5", "--half-life-time", "2h", "--window", "1000", "--window-time", "10m",
                "--assigners", "4", "--checkpoint-interval", "500ms", "--checkpoint-dir", "s3://bucket/ckpt",
                "--savepoint-dir", "relative/savepoints", "--init-from-snapshot", "--bounded",
                "--retained-checkpoints", "5", "--drift-false-alarm-rate", "0.001", "--drift-warn-rate", "0.02",
                "--input-topic", "other.embeddings");
        assertEquals(256, config.concepts().kmeans().k());
        assertEquals(5_120, config.concepts().effectiveBootstrapSize());
        assertEquals(Distance.EUCLIDEAN, config.concepts().kmeans().distance());
        assertEquals(Kernel.STUDENT_T, config.concepts().kmeans().kernel());
        assertEquals(0.5, config.concepts().kmeans().temperature());
        assertEquals(Decay.halfLifeTime(Duration.ofHours(2)), config.concepts().online().decay());
        assertEquals(1_000, config.concepts().drift().windowRecords());
        assertEquals(600_000, config.concepts().drift().windowMillis());
        assertEquals(0.001, config.concepts().drift().falseAlarmRate());
        assertEquals(0.02, config.concepts().drift().warnRate());
        assertEquals(4, config.concepts().assigners());
        assertEquals(Duration.ofMillis(500), config.checkpointInterval());
        assertEquals("s3://bucket/ckpt", config.checkpointDir());
        assertTrue(config.savepointDir().startsWith("file:/") && config.savepointDir().endsWith("/relative/savepoints"),
                config.savepointDir());
        assertTrue(config.initFromSnapshot());
        assertTrue(config.bounded());
        assertEquals(5, config.retainedCheckpoints());
        assertEquals("other.embeddings", config.topics().input());
    }

    @Test
    void everyCommandTreeBuildsWithTheKafkaAndJobOptionsSideBySide() {
        CommandLine concepts = new CommandLine(new ConceptsCommand());
        CommandLine run = concepts.getSubcommands().get("run");
        for (String option : List.of("--bootstrap", "--kafka-config", "--bootstrap-size", "--k", "--assigners",
                "--metrics-port", "--from-savepoint", "--no-resume")) {
            assertTrue(run.getCommandSpec().findOption(option) != null, option);
        }
        assertTrue(concepts.getSubcommands().containsKey("bench"));
        assertTrue(new CommandLine(new DriftCommand()).getSubcommands().get("watch").getCommandSpec()
                .findOption("--from-beginning") != null);
        assertTrue(new CommandLine(new ConceptJobMain()).getCommandSpec().findOption("--init-from-snapshot") != null);
    }

    @Test
    void badValuesAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--checkpoint-interval", "10s", "--transaction-timeout", "5s"));
        assertTrue(e.getMessage().contains("must exceed the checkpoint interval"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> parse("--drift-false-alarm-rate", "0.1", "--drift-warn-rate", "0.05"));
        assertThrows(IllegalArgumentException.class, () -> parse("--bootstrap-size", "10", "--k", "64"));
        assertThrows(IllegalArgumentException.class, () -> new DurationConverter().convert("ten seconds"));
        assertEquals(Duration.ofSeconds(10), new DurationConverter().convert("PT10S"));
    }
}
