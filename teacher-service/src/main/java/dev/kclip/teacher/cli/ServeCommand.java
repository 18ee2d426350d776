package dev.kclip.teacher.cli;

import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.MetricsBindOption;
import dev.kclip.common.metrics.ServiceEndpoints;
import dev.kclip.common.service.StopSignal;
import dev.kclip.schemas.Topics;
import dev.kclip.teacher.service.TeacherService;
import dev.kclip.teacher.service.TeacherServiceConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Embed every caption of kclip.pairs into kclip.teacher.embeddings, exactly once, until Ctrl-C.")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ModelOptions model;

    @Option(names = "--group", paramLabel = "ID",
            description = "Consumer group the instances share (default: ${DEFAULT-VALUE}).")
    String group = TeacherServiceConfig.DEFAULT_GROUP;

    @Option(names = "--instance-id", paramLabel = "ID",
            description = "Distinct per instance, stable across its restarts (names its transactional id); default: the host name.")
    String instanceId;

    @Option(names = "--max-batch-tokens", paramLabel = "N",
            description = "Padded tokens per forward pass (captions x longest caption; default: ${DEFAULT-VALUE}).")
    int maxBatchTokens = TeacherServiceConfig.DEFAULT_MAX_BATCH_TOKENS;

    @Option(names = "--max-batch-captions", paramLabel = "N",
            description = "Captions per forward pass (default: ${DEFAULT-VALUE}).")
    int maxBatchCaptions = TeacherServiceConfig.DEFAULT_MAX_BATCH_CAPTIONS;

    @Option(names = "--max-wait-ms", paramLabel = "MS",
            description = "Longest a caption waits for its batch to fill (default: ${DEFAULT-VALUE}).")
    long maxWaitMs = TeacherServiceConfig.DEFAULT_MAX_WAIT.toMillis();

    @Option(names = "--cache-mb", paramLabel = "MB",
            description = "Memory for the (model, caption) embedding cache; 0 disables it (default: ${DEFAULT-VALUE}).")
    long cacheMb = TeacherServiceConfig.DEFAULT_CACHE_BYTES >> 20;

    @Option(names = "--input", paramLabel = "TOPIC", description = "Default: ${DEFAULT-VALUE}.")
    String input = Topics.PAIRS.name();

    @Option(names = "--output", paramLabel = "TOPIC", description = "Default: ${DEFAULT-VALUE}.")
    String output = Topics.TEACHER_EMBEDDINGS.name();

    @Option(names = "--dead-letters", paramLabel = "TOPIC", description = "Default: ${DEFAULT-VALUE}.")
    String deadLetters = Topics.DEAD_LETTERS.name();

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Port of /metrics and /health; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int metricsPort = 9402;

    @Mixin
    MetricsBindOption metricsBind;

    @Override
    public Integer call() {
        TeacherServiceConfig defaults = TeacherServiceConfig.defaults(model.spec());
        TeacherServiceConfig config = defaults
                .withTeacherOptions(model.options())
                .withTopics(input, output, deadLetters)
                .withGroup(group, instanceId == null ? defaults.instanceId() : instanceId)
                .withBatching(maxBatchTokens, maxBatchCaptions, Duration.ofMillis(maxWaitMs))
                .withCacheBytes(cacheMb << 20);
        StopSignal signal = StopSignal.onJvmShutdown(TeacherService.STAGE, Duration.ofSeconds(30));
        String failure;
        try (ServiceEndpoints endpoints = ServiceEndpoints.start(TeacherService.STAGE, metricsBind.address(), metricsPort);
                TeacherService service = TeacherService.start(config, kafka.connection(), endpoints.registry())) {
            endpoints.addHealthCheck(TeacherService.STAGE, service::health);
            System.out.printf("teacher %s: %s -> %s (instance %s); metrics and health on port %d; Ctrl-C stops%n",
                    service.modelId(), config.inputTopic(), config.outputTopic(), config.instanceId(), endpoints.port());
            System.out.flush();
            while (service.isRunning() && !signal.awaitStop(Duration.ofSeconds(1))) {
                // serving on the service's thread
            }
            failure = service.failure();
        } finally {
            signal.finished();
        }
        if (failure != null) {
            System.err.println("kclip: error: teacher stopped: " + failure);
            return 1;
        }
        return 0;
    }
}
