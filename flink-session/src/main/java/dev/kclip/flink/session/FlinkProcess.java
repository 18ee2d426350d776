package dev.kclip.flink.session;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One JobManager or TaskManager JVM of a {@link FlinkSessionProcesses} cluster.
 *
 * @param name {@code jobmanager} or the TaskManager's resource id
 * @param process the JVM
 * @param log its Flink log file (its stdout and stderr go beside it, {@code .out})
 */
public record FlinkProcess(String name, Process process, Path log) {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /** The operating system's process id. */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** {@code kill -9}: the JVM ends at once, without shutdown hooks; returns once it has. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();   // SIGKILL on Linux and macOS
        process.waitFor();
    }

    /** SIGTERM (Flink shuts down in order), then SIGKILL if it is still running after 30 s. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
        }
    }
}
