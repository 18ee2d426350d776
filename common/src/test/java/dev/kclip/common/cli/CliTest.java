package dev.kclip.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class CliTest {

    @Command(name = "demo")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--metrics-port", defaultValue = "9400")
        int metricsPort;

        @Option(names = "--bootstrap")
        String bootstrap;

        @Option(names = "--fail")
        String fail;

        @Option(names = "--verbose")
        boolean verbose;

        @Override
        public Integer call() {
            if (fail != null) {
                throw fail.equals("user") ? new UserException("no such dataset: x.jsonl") : new IllegalStateException();
            }
            return 0;
        }
    }

    @Test
    void environmentSetsOptionsAndTheCommandLineWins() {
        EnvironmentDefaults env = new EnvironmentDefaults(Map.of("KCLIP_METRICS_PORT", "9999", "KCLIP_BOOTSTRAP", "x:1"));
        Demo fromEnv = new Demo();
        new CommandLine(fromEnv).setDefaultValueProvider(env).parseArgs();
        assertEquals(9999, fromEnv.metricsPort);
        assertNull(fromEnv.bootstrap, "bootstrap is resolved by KafkaConnection, after the client properties file");

        Demo explicit = new Demo();
        new CommandLine(explicit).setDefaultValueProvider(env).parseArgs("--metrics-port", "1234");
        assertEquals(1234, explicit.metricsPort);

        Demo none = new Demo();
        new CommandLine(none).setDefaultValueProvider(new EnvironmentDefaults(Map.of())).parseArgs();
        assertEquals(9400, none.metricsPort);
        assertEquals("KCLIP_CHECKPOINT_DIR", EnvironmentDefaults.variableFor("--checkpoint-dir"));
    }

    @Test
    void userErrorIsOneLineAndExitsNonZero() {
        StringWriter err = new StringWriter();
        int code = run(err, "--fail", "user");
        assertEquals(1, code);
        assertEquals("kclip: error: no such dataset: x.jsonl", err.toString().strip());
    }

    @Test
    void stackTraceOnlyWithVerbose() {
        StringWriter quiet = new StringWriter();
        run(quiet, "--fail", "bug");
        assertFalse(quiet.toString().contains("\tat "), quiet.toString());
        assertTrue(quiet.toString().contains("--verbose"));

        StringWriter verbose = new StringWriter();
        run(verbose, "--fail", "bug", "--verbose");
        assertTrue(verbose.toString().contains("\tat "), verbose.toString());
    }

    private static int run(StringWriter err, String... args) {
        return Cli.configure(new CommandLine(new Demo())).setErr(new PrintWriter(err)).execute(args);
    }
}
