package dev.kclip.concepts.cli;

import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.MetricsBindOption;
import dev.kclip.common.live.TopicWatch;
import dev.kclip.common.metrics.ServiceEndpoints;
import dev.kclip.common.service.StopSignal;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.concepts.job.ConceptUpdaterService;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kclip concepts run}: the concept-updater job on an embedded Flink MiniCluster, until Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the concept updater on an embedded Flink MiniCluster (Ctrl-C stops it with a savepoint).")
public final class ConceptsRunCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ConceptJobOptions job;

    @Option(names = "--metrics-port",
            description = "Port of /metrics and /health; 0 = a free port (default: ${DEFAULT-VALUE}).")
    int metricsPort = 0;

    @Mixin
    MetricsBindOption metricsBind;

    @Override
    public Integer call() {
        ConceptJobConfig config = job.toConfig();
        StopSignal stop = StopSignal.onJvmShutdown("concepts", Duration.ofMinutes(3));
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("concepts", metricsBind.address(), metricsPort);
                ConceptUpdaterService service = ConceptUpdaterService.start(config, kafka.connection(),
                        endpoints.registry())) {
            endpoints.addHealthCheck("concepts", service::health);
            endpoints.live().add(TopicWatch.start(kafka.connection(), TopicWatch.CONCEPTS, DriftLines::format));
            System.out.println("concepts: running on " + kafka.connection() + service.restoredFrom()
                    .map(p -> ", restored from " + p).orElse("") + "; metrics on http://localhost:" + endpoints.port()
                    + "/ (live page; /metrics, /health)");
            while (!stop.awaitStop(Duration.ofSeconds(1))) {
                if (service.terminated()) {
                    Throwable failure = service.failure().orElse(null);
                    if (failure != null) {
                        throw new IllegalStateException("the concept-updater job failed: " + failure.getMessage(),
                                failure);
                    }
                    System.out.println("concepts: the job finished (end of the bounded input)");
                    break;
                }
            }
        } finally {
            stop.finished();
        }
        return 0;
    }
}
