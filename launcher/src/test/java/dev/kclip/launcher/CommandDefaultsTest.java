package dev.kclip.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.kclip.common.cli.EnvironmentDefaults;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.service.FailureWindow;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.launcher.pipeline.PipelineSettings;
import dev.kclip.launcher.pipeline.StagePlacement;
import dev.kclip.trainer.loop.TrainerConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The launcher's options take their defaults from the stages' configurations; KCLIP_* variables override them. */
class CommandDefaultsTest {

    @Test
    void upDefaultsAreThePipelineAndConceptDefaults() {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs();
        assertEquals(ConceptJobConfig.defaults().concepts().kmeans().k(), up.concepts);
        assertEquals(ConceptJobConfig.defaults().concepts().bootstrapSize(), up.bootstrapSize);
        assertEquals(PipelineSettings.defaults(up.home, up.port, null, up.teacher).metricsPort(), up.metricsPort);
        assertEquals(PipelineSettings.defaults(up.home, up.port, null, up.teacher).metricsBind(), up.metricsBind.address());
        assertEquals("127.0.0.1", up.metricsBind.address(), "only this machine unless told");
        assertEquals("127.0.0.1", up.http.listen(up.httpPort, Map.of()).bind(), "only this machine unless told");
        assertEquals(KafkaConnection.DEFAULT_BOOTSTRAP, "localhost:" + up.port);
        assertEquals("onnx-minilm", up.teacher);
        assertEquals(Path.of(".kclip"), up.home);
        assertEquals(ConceptJobConfig.defaults().retainedCheckpoints(), up.retainedCheckpoints);
        assertEquals(FailureWindow.Policy.DEFAULT, new FailureWindow.Policy(up.downAfter, up.failureWindow));
        assertEquals(false, up.restartFailedStages, "a failed stage ends the run unless asked otherwise");
    }

    @Test
    void upAcceptsTheSupervisionOptions() {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--restart-failed-stages", "--max-restarts", "2", "--down-after", "5",
                "--failure-window", "10m", "--retained-checkpoints", "4");
        assertEquals(true, up.restartFailedStages);
        assertEquals(2, up.maxRestarts);
        assertEquals(new FailureWindow.Policy(5, java.time.Duration.ofMinutes(10)),
                new FailureWindow.Policy(up.downAfter, up.failureWindow));
        assertEquals(4, up.retainedCheckpoints);
    }

    @Test
    void teacherAndTrainerArePlacedSeparatelyAndTheStudentIsChosen() {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--teacher-device", "gpu:1", "--trainer-device", "gpu:0", "--student", "vit-b-32");
        StagePlacement placement = up.placement.placement();
        assertEquals(Device.gpu(1), placement.teacherDevice());
        assertEquals(Device.gpu(0), placement.trainerDevice());
        assertEquals("vit-b-32", placement.student().name());
        assertEquals(TrainerConfig.NO_INIT, up.placement.init(null, new PrintStream(OutputStream.nullOutputStream())),
                "another student without --init: random weights, not the tiny-shaped bundled base");
        assertEquals("models/x", up.placement.init("models/x", System.out));

        PipelineSettings placed = new StagePlacement(Device.cpu(), Device.cpu(), placement.student())
                .apply(PipelineSettings.defaults(Path.of("h"), 0, null, up.teacher));
        assertEquals("vit-b-32", placed.trainer().model().name());
        assertEquals(Device.cpu(), placed.teacher().teacherOptions().device());
        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> new StagePlacement(Device.cpu(), Device.gpu(99), null)
                        .apply(PipelineSettings.defaults(Path.of("h"), 0, null, up.teacher)));
        assertTrue(absent.getMessage().startsWith("device gpu:99 is not available"), absent.getMessage());

        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs("--trainer-device", "gpu");
        assertEquals(Device.gpu(0), demo.placement.placement().trainerDevice());
        assertEquals(Device.cpu(), demo.placement.placement().teacherDevice(), "the teacher stays where it was");
        UpCommand defaults = new UpCommand();
        new CommandLine(defaults).parseArgs();
        assertEquals(StagePlacement.CPU, defaults.placement.placement());
    }

    @Test
    void environmentVariablesStillSetTheLauncherOptions() {
        UpCommand up = new UpCommand();
        CommandLine line = new CommandLine(up);
        line.setDefaultValueProvider(new EnvironmentDefaults(Map.of("KCLIP_CONCEPTS", "12", "KCLIP_METRICS_PORT", "0",
                "KCLIP_TEACHER", "llama2c:model.bin", "KCLIP_HTTP_BIND", "0.0.0.0", "KCLIP_METRICS_BIND", "0.0.0.0")));
        line.parseArgs("--concepts", "16");
        assertEquals(16, up.concepts, "the command line wins");
        assertEquals(0, up.metricsPort);
        assertEquals("llama2c:model.bin", up.teacher);
        assertEquals("0.0.0.0", up.http.listen(up.httpPort, Map.of()).bind(), "containers bind every interface");
        assertEquals("0.0.0.0", up.metricsBind.address());

        BrokerCommand broker = new BrokerCommand();
        new CommandLine(broker).setDefaultValueProvider(new EnvironmentDefaults(Map.of("KCLIP_PORT", "19092")))
                .parseArgs();
        assertEquals(19092, broker.port);
        assertEquals(Path.of(".kclip", "kafka"), broker.data, "the broker log of `kclip up` under the same home");
        assertEquals("localhost", broker.advertisedHost);
    }

    @Test
    void demoAndTailDefaults() {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs();
        assertEquals("category", demo.labelField);
        assertEquals("category", demo.orderBy);
        assertEquals(Path.of(".kclip", "demo"), demo.home);
        TailCommand tail = new TailCommand();
        new CommandLine(tail).parseArgs("kclip.pairs");
        assertEquals(Long.MAX_VALUE, tail.max);
    }
}
