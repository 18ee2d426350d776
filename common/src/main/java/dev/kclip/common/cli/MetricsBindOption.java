package dev.kclip.common.cli;

import dev.kclip.common.metrics.ServiceEndpoints;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-bind ADDRESS}, the address a service's {@code /metrics} and {@code /health} listen on
 * ({@code KCLIP_METRICS_BIND} through {@link EnvironmentDefaults}). A mixin, so every service command has the same.
 */
public final class MetricsBindOption {

    @Option(names = "--metrics-bind", paramLabel = "ADDRESS",
            description = "Address of /metrics and /health: 127.0.0.1 serves this machine only, 0.0.0.0 every interface"
                    + " (as containers set it) (default: ${DEFAULT-VALUE}).")
    String address = ServiceEndpoints.DEFAULT_BIND;

    /** The address given, or {@link ServiceEndpoints#DEFAULT_BIND}. */
    public String address() {
        return address;
    }
}
