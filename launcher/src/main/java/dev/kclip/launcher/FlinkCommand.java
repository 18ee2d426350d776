package dev.kclip.launcher;

import dev.kclip.flink.session.FlinkSessionProcesses;
import dev.kclip.flink.session.FlinkSessionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kclip flink session}: a local Flink session cluster (a JobManager and TaskManagers as separate JVMs on
 * Flink's jars only, {@link FlinkSessionProcesses}) in the foreground, for {@code kclip concepts submit}.
 */
@Command(name = "flink", mixinStandardHelpOptions = true, description = "A local Flink cluster.",
        subcommands = FlinkCommand.Session.class)
final class FlinkCommand {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    @Command(name = "session", mixinStandardHelpOptions = true,
            description = "Start a Flink session cluster on this machine: a JobManager and TaskManagers as separate"
                    + " processes (Ctrl-C stops them).")
    static final class Session implements Callable<Integer> {

        @Option(names = "--dir", paramLabel = "DIR",
                description = "Configuration, logs, checkpoints and savepoints (default: ${DEFAULT-VALUE}).")
        Path dir = UpCommand.DEFAULT_HOME.resolve("flink");

        @Option(names = "--taskmanagers", description = "TaskManagers (default: ${DEFAULT-VALUE}).")
        int taskManagers = 2;

        @Option(names = "--slots", description = "Slots per TaskManager (default: ${DEFAULT-VALUE}).")
        int slots = FlinkSessionSettings.DEFAULT_SLOTS;

        @Option(names = "--rest-port", description = "The JobManager's REST port (default: ${DEFAULT-VALUE}).")
        int restPort = FlinkSessionSettings.DEFAULT_REST_PORT;

        @Option(names = "--rpc-port", description = "The JobManager's RPC port (default: ${DEFAULT-VALUE}).")
        int rpcPort = FlinkSessionSettings.DEFAULT_RPC_PORT;

        @Override
        public Integer call() throws Exception {
            FlinkSessionSettings settings = FlinkSessionSettings.local(dir, restPort, rpcPort).withSlots(slots);
            FlinkSessionProcesses cluster = FlinkSessionProcesses.create(settings);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    cluster.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    stopped.countDown();
                }
            }, "kclip-flink-shutdown"));
            cluster.start(taskManagers, START_TIMEOUT);
            System.out.printf("kclip flink: JobManager on %s with %d TaskManagers of %d slots; checkpoints in %s,"
                    + " logs in %s%n  submit: kclip concepts submit --jobmanager %s --bootstrap ... "
                    + "--checkpoint-dir %s%n", settings.restEndpoint(), taskManagers, slots, settings.checkpointDir(),
                    cluster.logDir(), settings.restEndpoint(), settings.checkpointDir());
            System.out.flush();
            stopped.await();
            return 0;
        }
    }
}
