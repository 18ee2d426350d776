package dev.kclip.launcher.pipeline;

import dev.kclip.common.metrics.ServiceEndpoints;
import dev.kclip.common.service.FailureWindow;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.ingest.IngestConfig;
import dev.kclip.ingest.http.HttpIntakeConfig;
import dev.kclip.teacher.service.TeacherServiceConfig;
import dev.kclip.trainer.loop.TrainerConfig;
import java.nio.file.Path;

/**
 * Everything {@link Pipeline} starts, on one machine.
 *
 * @param home the state folder: broker log ({@code kafka/}), Streams state ({@code ingest/}), Flink checkpoints and
 *     savepoints ({@code concepts/}), trainer checkpoints ({@code checkpoints/}); a second start continues from it
 * @param brokerPort client port of the embedded broker, or -1 to use an external cluster (then {@code external})
 * @param ingest the validation topology and, when its {@code http} is set, the HTTP intake
 * @param teacher the teacher service
 * @param concepts the concept-updater job (run on an embedded MiniCluster)
 * @param trainer the trainer
 * @param metricsPort port of the shared {@code /metrics} and {@code /health} endpoint (0: a free one)
 * @param metricsBind the address that endpoint binds (default 127.0.0.1: this machine only)
 * @param failures how many recoverable failures (stream thread replacements, Flink job restarts, aborted teacher
 *     batches in a row) within how long make a stage DOWN
 */
public record PipelineSettings(Path home, int brokerPort, IngestConfig ingest, TeacherServiceConfig teacher,
        ConceptJobConfig concepts, TrainerConfig trainer, int metricsPort, String metricsBind,
        FailureWindow.Policy failures) {

    /** The port of the shared {@code /metrics} and {@code /health} endpoint unless set. */
    public static final int DEFAULT_METRICS_PORT = 9400;

    /** Every stage with its defaults, all state under {@code home}. */
    public static PipelineSettings defaults(Path home, int brokerPort, HttpIntakeConfig http, String teacherSpec) {
        Path dir = home.toAbsolutePath().normalize();
        return new PipelineSettings(dir, brokerPort,
                IngestConfig.defaults().withStateDir(dir.resolve("ingest")).withHttp(http),
                TeacherServiceConfig.defaults(teacherSpec).withGroup(TeacherServiceConfig.DEFAULT_GROUP, "local"),
                ConceptJobConfig.defaults().withCheckpointing(ConceptJobConfig.defaults().checkpointInterval(),
                        dir.resolve("concepts/checkpoints").toUri().toString(),
                        dir.resolve("concepts/savepoints").toUri().toString()),
                TrainerConfig.defaults(dir.resolve("checkpoints")),
                DEFAULT_METRICS_PORT, ServiceEndpoints.DEFAULT_BIND, FailureWindow.Policy.DEFAULT);
    }

    public boolean embeddedBroker() {
        return brokerPort >= 0;
    }

    public PipelineSettings withTeacher(TeacherServiceConfig value) {
        return new PipelineSettings(home, brokerPort, ingest, value, concepts, trainer, metricsPort, metricsBind, failures);
    }

    public PipelineSettings withConcepts(ConceptJobConfig value) {
        return new PipelineSettings(home, brokerPort, ingest, teacher, value, trainer, metricsPort, metricsBind, failures);
    }

    public PipelineSettings withTrainer(TrainerConfig value) {
        return new PipelineSettings(home, brokerPort, ingest, teacher, concepts, value, metricsPort, metricsBind, failures);
    }

    /** The trainer starting from a pretrained CLIP directory, or {@link TrainerConfig#NO_INIT}. */
    public PipelineSettings withTrainerInit(String directory) {
        return withTrainer(trainer.withInit(directory));
    }

    public PipelineSettings withMetricsPort(int value) {
        return new PipelineSettings(home, brokerPort, ingest, teacher, concepts, trainer, value, metricsBind, failures);
    }

    public PipelineSettings withMetricsBind(String address) {
        return new PipelineSettings(home, brokerPort, ingest, teacher, concepts, trainer, metricsPort, address, failures);
    }

    public PipelineSettings withFailures(FailureWindow.Policy value) {
        return new PipelineSettings(home, brokerPort, ingest, teacher, concepts, trainer, metricsPort, metricsBind, value);
    }
}
