package dev.kclip.flink.session;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A Flink standalone session cluster as separate JVMs on this machine, started from Flink's own entry points
 * ({@code StandaloneSessionClusterEntrypoint}, {@code TaskManagerRunner}, what {@code jobmanager.sh} and
 * {@code taskmanager.sh} run) with Flink's jars and log4j only on their class path ({@code flink.classpath}, written
 * by this module's build): jobs reach them only as submitted job jars, as on a user's own cluster.
 *
 * <p>{@link #create} writes {@code conf/config.yaml} from the settings (REST and RPC on fixed ports, slots,
 * checkpoint and savepoint directories, checkpoints retained on cancellation, an exponential-delay restart
 * strategy, short heartbeats, slots spread over the TaskManagers); JVM memory flags are derived from it as the
 * scripts do. There is no high availability: a killed JobManager forgets its jobs, and a restarted one on the same
 * ports takes the TaskManagers back; resubmitting restores from the last retained checkpoint.
 */
public final class FlinkSessionProcesses implements AutoCloseable {

    /** The JobManager's process name (and log file name). */
    public static final String JOB_MANAGER = "jobmanager";
    private static final String CLASSPATH_RESOURCE = "flink.classpath";
    private static final String SESSION_ENTRY_POINT = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_ENTRY_POINT = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    /** What Flink's scripts open by default (env.java.default-opts.all), plus the concept job's Vector API module. */
    private static final List<String> JVM_OPTIONS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-modules=jdk.incubator.vector");
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Pattern TASK_MANAGERS = Pattern.compile("\"taskmanagers\"\\s*:\\s*(\\d+)");

    private final FlinkSessionSettings settings;
    private final Configuration flink;
    private final Path confDir;
    private final Path logDir;
    private final String classpath;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private FlinkProcess jobManager;
    private final Map<String, FlinkProcess> taskManagers = new LinkedHashMap<>();

    private FlinkSessionProcesses(FlinkSessionSettings settings, Configuration flink, String classpath) {
        this.settings = settings;
        this.flink = flink;
        this.confDir = settings.home().resolve("conf");
        this.logDir = settings.home().resolve("log");
        this.classpath = classpath;
    }

    /** Writes {@code home/conf} for the settings (nothing starts yet). */
    public static FlinkSessionProcesses create(FlinkSessionSettings settings) throws IOException {
        FlinkSessionProcesses cluster = new FlinkSessionProcesses(settings, configuration(settings), flinkClasspath());
        Files.createDirectories(cluster.confDir);
        Files.createDirectories(cluster.logDir);
        Files.writeString(cluster.confDir.resolve("config.yaml"), yaml(cluster.flink));
        Files.writeString(cluster.confDir.resolve("log4j.properties"), LOG4J);
        return cluster;
    }

    /** The Flink configuration {@code conf/config.yaml} holds for these settings. */
    public static Configuration configuration(FlinkSessionSettings s) {
        Configuration conf = new Configuration();
        conf.set(JobManagerOptions.ADDRESS, s.host());
        conf.set(JobManagerOptions.PORT, s.rpcPort());
        conf.set(JobManagerOptions.BIND_HOST, s.host());
        conf.set(RestOptions.ADDRESS, s.host());
        conf.set(RestOptions.BIND_ADDRESS, s.host());
        conf.set(RestOptions.PORT, s.restPort());
        conf.set(TaskManagerOptions.HOST, s.host());
        conf.set(TaskManagerOptions.BIND_HOST, s.host());
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, s.slotsPerTaskManager());
        // a job at parallelism P uses a slot on each TaskManager rather than filling one: a killed one hits the job
        conf.set(TaskManagerOptions.TASK_MANAGER_LOAD_BALANCE_MODE, TaskManagerOptions.TaskManagerLoadBalanceMode.SLOTS);
        conf.set(JobManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse(s.jobManagerMemory()));
        conf.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse(s.taskManagerMemory()));
        // the heap state backend needs no managed memory
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("32m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
        conf.set(TaskManagerOptions.JVM_METASPACE, MemorySize.parse("192m"));
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, s.checkpointDir());
        conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, s.savepointDir());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofMillis(500));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(5));
        conf.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, s.heartbeatInterval());
        conf.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, s.heartbeatTimeout());
        s.extra().forEach(conf::setString);
        return conf;
    }

    public FlinkSessionSettings settings() {
        return settings;
    }

    /** The folder of {@code config.yaml}: {@code --configDir} of Flink's entry points and clients. */
    public Path configDir() {
        return confDir;
    }

    /** The folder of the processes' logs. */
    public Path logDir() {
        return logDir;
    }

    /** The REST endpoint as {@code host:port}. */
    public String restEndpoint() {
        return settings.restEndpoint();
    }

    /** The running JobManager, if one is. */
    public Optional<FlinkProcess> jobManager() {
        return Optional.ofNullable(jobManager).filter(FlinkProcess::alive);
    }

    /** The TaskManagers started, by resource id (also those killed since). */
    public Map<String, FlinkProcess> taskManagers() {
        return Map.copyOf(taskManagers);
    }

    /** Starts the JobManager and returns once its REST endpoint answers. */
    public synchronized FlinkProcess startJobManager(Duration timeout) throws IOException, InterruptedException {
        if (jobManager().isPresent()) {
            throw new IllegalStateException("the JobManager runs already (pid " + jobManager.pid() + ")");
        }
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(flink);
        jobManager = launch(JOB_MANAGER, SESSION_ENTRY_POINT,
                JobManagerProcessUtils.generateJvmParametersStr(spec, flink),
                JobManagerProcessUtils.generateDynamicConfigsStr(spec));
        awaitRest(jobManager, timeout);
        return jobManager;
    }

    /**
     * Starts a TaskManager with resource id {@code id}; it registers with the JobManager by itself (wait for it with
     * {@link #awaitTaskManagers}).
     */
    public synchronized FlinkProcess startTaskManager(String id) throws IOException {
        FlinkProcess running = taskManagers.get(id);
        if (running != null && running.alive()) {
            throw new IllegalStateException("TaskManager " + id + " runs already (pid " + running.pid() + ")");
        }
        Configuration conf = new Configuration(flink);
        conf.set(TaskManagerOptions.TASK_MANAGER_RESOURCE_ID, id);
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        FlinkProcess process = launch(id, TASK_MANAGER_ENTRY_POINT, ProcessMemoryUtils.generateJvmParametersStr(spec),
                TaskExecutorProcessUtils.generateDynamicConfigsStr(spec) + " -D "
                        + TaskManagerOptions.TASK_MANAGER_RESOURCE_ID.key() + "=" + id);
        taskManagers.put(id, process);
        return process;
    }

    /** Starts the JobManager and {@code count} TaskManagers ({@code taskmanager-1}…) and waits for all of them. */
    public void start(int count, Duration timeout) throws IOException, InterruptedException {
        startJobManager(timeout);
        for (int i = 1; i <= count; i++) {
            startTaskManager("taskmanager-" + i);
        }
        awaitTaskManagers(count, timeout);
    }

    /** Waits until exactly {@code count} TaskManagers are registered with the JobManager (its REST overview). */
    public void awaitTaskManagers(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        OptionalInt seen = OptionalInt.empty();
        while (System.nanoTime() < deadline) {
            if (jobManager().isEmpty()) {
                throw new IllegalStateException("the JobManager is not running; its log: " + jobManager.log());
            }
            seen = registeredTaskManagers();
            if (seen.isPresent() && seen.getAsInt() == count) {
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException("not " + count + " TaskManagers registered within " + timeout + " (last seen: "
                + (seen.isPresent() ? seen.getAsInt() : "none") + "); logs in " + logDir);
    }

    /** The TaskManagers the JobManager counts now, or empty when its REST endpoint does not answer. */
    public OptionalInt registeredTaskManagers() {
        return get("/overview").map(TASK_MANAGERS::matcher).filter(Matcher::find)
                .map(m -> OptionalInt.of(Integer.parseInt(m.group(1)))).orElse(OptionalInt.empty());
    }

    /** {@code GET} of a REST path on the JobManager: the body of a 200 answer, else empty. */
    public Optional<String> get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + restEndpoint() + path))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** {@code kill -9} of the JobManager. */
    public synchronized void killJobManager() throws InterruptedException {
        if (jobManager != null) {
            jobManager.kill();
        }
    }

    /** {@code kill -9} of a TaskManager. */
    public synchronized void killTaskManager(String id) throws InterruptedException {
        FlinkProcess process = taskManagers.get(id);
        if (process == null) {
            throw new IllegalArgumentException("no TaskManager " + id + " (started: " + taskManagers.keySet() + ")");
        }
        process.kill();
    }

    /** Stops every process (TaskManagers first), each with SIGTERM, SIGKILL after 30 s. */
    @Override
    public synchronized void close() throws InterruptedException {
        for (FlinkProcess process : taskManagers.values()) {
            process.stop();
        }
        if (jobManager != null) {
            jobManager.stop();
        }
    }

    private FlinkProcess launch(String name, String entryPoint, String jvmMemory, String dynamicConfigs)
            throws IOException {
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvmMemory.trim().split("\\s+")));
        command.addAll(JVM_OPTIONS);
        command.add("-Dlog.file=" + log);
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.add("-cp");
        command.add(classpath);
        command.add(entryPoint);
        command.add("--configDir");
        command.add(confDir.toString());
        command.addAll(Arrays.asList(dynamicConfigs.trim().split("\\s+")));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(name + ".out").toFile()));
        // Flink's scripts read FLINK_CONF_DIR too; a value from the caller's environment must not point elsewhere
        builder.environment().put("FLINK_CONF_DIR", confDir.toString());
        return new FlinkProcess(name, builder.start(), log);
    }

    private void awaitRest(FlinkProcess process, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IllegalStateException(process.name() + " exited with " + process.process().exitValue()
                        + "; see " + process.log() + " and its .out");
            }
            if (get("/overview").isPresent()) {
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException(process.name() + "'s REST endpoint " + restEndpoint()
                + " did not answer within " + timeout + "; see " + process.log());
    }

    /** The class path of Flink's processes: every jar listed in {@code flink.classpath}, all of which must exist. */
    static String flinkClasspath() throws IOException {
        try (InputStream in = FlinkSessionProcesses.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing: build kclip-flink-session with"
                        + " Maven (its generate-resources phase writes it)");
            }
            List<String> jars = Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()
                    .split(Pattern.quote(File.pathSeparator))).filter(jar -> !jar.isEmpty()).toList();
            for (String jar : jars) {
                if (!Files.isRegularFile(Path.of(jar))) {
                    throw new IllegalStateException("Flink's jar " + jar + " is missing (the class path was written"
                            + " by the build on another machine or the local repository was cleaned: rebuild)");
                }
            }
            return String.join(File.pathSeparator, jars);
        }
    }

    /** {@code key: 'value'} per line: flat keys, every value a quoted YAML string (Flink 2's config.yaml). */
    static String yaml(Configuration conf) {
        StringBuilder out = new StringBuilder("# written by dev.kclip.flink.session.FlinkSessionProcesses\n");
        conf.toMap().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.append(e.getKey())
                .append(": '").append(e.getValue().replace("'", "''")).append("'\n"));
        return out.toString();
    }

    private static final String LOG4J = """
            # Flink's processes log to ${sys:log.file}; the Kafka clients of the jobs only warnings
            rootLogger.level = INFO
            rootLogger.appenderRef.file.ref = file
            logger.kafka.name = org.apache.kafka
            logger.kafka.level = WARN
            appender.file.type = File
            appender.file.name = file
            appender.file.fileName = ${sys:log.file}
            appender.file.append = true
            appender.file.layout.type = PatternLayout
            appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1.} - %m%n
            """;

}
