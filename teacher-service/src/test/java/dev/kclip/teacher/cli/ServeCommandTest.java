package dev.kclip.teacher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kclip.common.cli.EnvironmentDefaults;
import dev.kclip.teacher.Pooling;
import dev.kclip.teacher.TeacherOptions;
import dev.kclip.teacher.service.TeacherServiceConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The serve options' defaults are the configuration's, and the environment still overrides them. */
class ServeCommandTest {

    @Test
    void withoutOptionsServeUsesTheConfigDefaults() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs();
        TeacherServiceConfig defaults = TeacherServiceConfig.defaults(serve.model.spec());
        assertEquals("onnx-minilm", serve.model.spec());
        assertEquals(TeacherOptions.defaults(), serve.model.options());
        assertEquals(defaults.groupId(), serve.group);
        assertEquals(defaults.maxBatchTokens(), serve.maxBatchTokens);
        assertEquals(defaults.maxBatchCaptions(), serve.maxBatchCaptions);
        assertEquals(defaults.maxWait().toMillis(), serve.maxWaitMs);
        assertEquals(defaults.cacheBytes(), serve.cacheMb << 20);
        assertEquals(defaults.inputTopic(), serve.input);
        assertEquals(defaults.outputTopic(), serve.output);
        assertEquals(defaults.deadLetterTopic(), serve.deadLetters);
    }

    @Test
    void environmentVariablesStillSetOptionsAndTheCommandLineWins() {
        ServeCommand serve = new ServeCommand();
        CommandLine line = new CommandLine(serve).setCaseInsensitiveEnumValuesAllowed(true);
        line.setDefaultValueProvider(new EnvironmentDefaults(Map.of("KCLIP_MAX_BATCH_CAPTIONS", "8",
                "KCLIP_POOLING", "last", "KCLIP_MODEL", "llama2c:model.bin", "KCLIP_LAYER", "-2")));
        line.parseArgs("--layer", "3");
        assertEquals(8, serve.maxBatchCaptions);
        assertEquals("llama2c:model.bin", serve.model.spec());
        assertEquals(Pooling.LAST, serve.model.options().pooling());
        assertEquals(3, serve.model.options().hiddenLayer());
        assertEquals(TeacherServiceConfig.DEFAULT_MAX_BATCH_TOKENS, serve.maxBatchTokens);
    }
}
