package dev.kclip.launcher.cluster;

import dev.kclip.launcher.Kclip;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code kclip} subcommand in a JVM of its own, as a user would run it on a machine of a cluster: started,
 * waited for until it prints its ready line, stopped with SIGTERM, killed with SIGKILL and started again with the
 * same arguments. Output (stdout and stderr) is appended to a log file, one per process, across restarts.
 *
 * <p>The child runs the same build as this JVM: {@code -jar kclip.jar} when this JVM runs the kclip jar (the
 * manifest opens the JDK packages Flink and Kafka need), else the class path and the {@code --add-*} options of
 * this JVM (tests).
 */
public final class StageProcess implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    private final String name;
    private final List<String> jvmOptions;
    private final List<String> args;
    private final String readyLine;
    private final Path log;
    private final Map<String, String> environment;
    private Process process;
    private long logOffsetAtStart;

    /**
     * @param name what the topology calls it ({@code broker-1}, {@code teacher-2})
     * @param jvmOptions heap and other options of the child
     * @param args the kclip subcommand and its options
     * @param readyLine the start of the line the command prints once it serves
     * @param log file the output is appended to
     * @param environment variables added to this JVM's for the child
     */
    public StageProcess(String name, List<String> jvmOptions, List<String> args, String readyLine, Path log,
            Map<String, String> environment) {
        this.name = name;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.args = List.copyOf(args);
        this.readyLine = readyLine;
        this.log = log;
        this.environment = Map.copyOf(environment);
    }

    /** The command line of a child JVM running {@code kclip} with {@code args}. */
    public static List<String> kclipCommand(List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (option.startsWith("--add-") || option.startsWith("-Dkclip.")) {
                command.add(option);
            }
        }
        String classPath = System.getProperty("java.class.path");
        if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
            command.addAll(List.of("-jar", classPath));
        } else {
            command.addAll(List.of("-cp", classPath, Kclip.class.getName()));
        }
        command.addAll(args);
        return command;
    }

    /** Starts the process (again, after a kill or stop); returns without waiting for it to be ready. */
    public synchronized StageProcess start() {
        if (alive()) {
            throw new IllegalStateException(name + " is already running");
        }
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            logOffsetAtStart = Files.exists(log) ? Files.size(log) : 0;
            ProcessBuilder builder = new ProcessBuilder(kclipCommand(jvmOptions, args))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
        }
        return this;
    }

    /**
     * Waits until this start printed its ready line.
     *
     * @return the line
     * @throws IllegalStateException when the process ends first or {@code timeout} passes, with the log's tail
     */
    public String awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = readyLineSinceStart();
            if (line != null) {
                return line;
            }
            if (!alive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready:\n"
                        + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not ready after " + timeout + ":\n" + tail());
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
    }

    /**
     * Waits until a command that ends by itself (a submission) has ended.
     *
     * @return its exit status
     * @throws IllegalStateException when it still runs after {@code timeout}
     */
    public int awaitExit(Duration timeout) {
        if (!waitForExit(timeout)) {
            throw new IllegalStateException(name + " still runs after " + timeout + ":\n" + tail());
        }
        return process.exitValue();
    }

    /** SIGKILL, as a machine that dies: no shutdown hook runs. Waits until the process is gone. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitForExit(STOP_GRACE);
        }
    }

    /** SIGTERM (Ctrl-C): the command stops cleanly; SIGKILL after a minute. */
    public synchronized void stop() {
        if (alive()) {
            process.destroy();
            if (!waitForExit(STOP_GRACE)) {
                kill();
            }
        }
    }

    /** Sends SIGTERM without waiting (to stop several at once); {@link #stop} then waits. */
    public synchronized void signalStop() {
        if (alive()) {
            process.destroy();
        }
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** The operating system's id of the current process. */
    public synchronized long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    /** The last lines of the log, for error messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String readyLineSinceStart() {
        if (!Files.exists(log)) {
            return null;
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(logOffsetAtStart);
            byte[] rest = new byte[(int) Math.min(Integer.MAX_VALUE, file.length() - logOffsetAtStart)];
            file.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith(readyLine)) {
                    return line;
                }
            }
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + log + ": " + e.getMessage(), e);
        }
    }
}
