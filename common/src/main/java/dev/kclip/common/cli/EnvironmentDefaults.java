package dev.kclip.common.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lets every option be set from the environment, so containers are configured with environment variables only:
 * {@code --metrics-port} is read from {@code KCLIP_METRICS_PORT}, {@code --checkpoint-dir} from
 * {@code KCLIP_CHECKPOINT_DIR}, and so on. A value on the command line still wins. {@code --bootstrap} is left to
 * {@link dev.kclip.common.kafka.KafkaConnection}, which reads {@code KCLIP_BOOTSTRAP} itself after the client
 * properties file.
 */
public final class EnvironmentDefaults implements IDefaultValueProvider {

    private final Map<String, String> environment;

    public EnvironmentDefaults(Map<String, String> environment) {
        this.environment = environment;
    }

    /** The environment variable that sets {@code option}, e.g. {@code --metrics-port} → {@code KCLIP_METRICS_PORT}. */
    public static String variableFor(String longOption) {
        return "KCLIP_" + longOption.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String name = option.longestName();
        if (!name.startsWith("--") || name.equals("--bootstrap")) {
            return null;
        }
        return environment.get(variableFor(name));
    }
}
