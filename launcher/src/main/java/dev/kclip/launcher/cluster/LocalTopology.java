package dev.kclip.launcher.cluster;

import dev.kclip.common.broker.EmbeddedKafkaBroker;
import dev.kclip.common.broker.KraftQuorum;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.flink.session.FlinkSessionProcesses;
import dev.kclip.flink.session.FlinkSessionSettings;
import dev.kclip.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;

/**
 * The whole pipeline as separate processes on this machine, each a {@code kclip} command as it would run on a
 * machine of a real deployment: a KRaft cluster of {@link TopologySettings#brokers()} nodes (broker and controller
 * each; topics replicated 3 times with {@code min.insync.replicas=2}), ingest and teacher instances in their
 * groups, the concept job (on a Flink session cluster of a JobManager and TaskManagers, submitted with
 * {@code kclip concepts submit}, or as {@code kclip concepts run}) and one trainer. {@code kclip cluster up}, the fault test and the scaling benchmark all
 * start it through here.
 *
 * <p>State lives under the home directory ({@code brokers/node-N}, {@code ingest-N}, {@code concepts},
 * {@code checkpoints}, {@code logs/NAME.log}); the cluster id is kept in {@code cluster-id}, so a second start
 * continues the first. Clients of every stage read {@code client.properties} (the consumer session timeout).
 */
public final class LocalTopology implements AutoCloseable {

    private static final Duration BROKER_READY = Duration.ofMinutes(2);
    private static final Duration STAGE_READY = Duration.ofMinutes(3);
    /** Options of every child JVM: little memory, one compiler tier less, PyTorch on one thread. */
    private static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1");
    private static final Map<String, String> ENVIRONMENT = Map.of("OMP_NUM_THREADS", "1");

    private final TopologySettings settings;
    private final Consumer<String> progress;
    private final List<Integer> clientPorts;
    private final String bootstrap;
    private final Path clientProperties;
    private final List<StageProcess> brokers = new ArrayList<>();
    private final List<StageProcess> ingest = new ArrayList<>();
    private final List<StageProcess> teachers = new ArrayList<>();
    private final List<StageProcess> stages = new ArrayList<>();
    private StageProcess concepts;
    private FlinkSessionProcesses flink;
    private StageProcess trainer;
    private int nextStagePort;

    private LocalTopology(TopologySettings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
        this.clientPorts = ports(settings.basePort(), settings.brokers());
        this.bootstrap = String.join(",", clientPorts.stream().map(p -> "localhost:" + p).toList());
        this.clientProperties = settings.home().resolve("client.properties");
        this.nextStagePort = settings.basePort() == 0 ? 0 : settings.basePort() + 200;
    }

    /**
     * Starts the brokers (all together, as a first start needs a quorum), creates the catalog's topics, then every
     * stage, each waited for until it is ready.
     *
     * @param progress one line per process as it becomes ready, saying where it listens
     */
    public static LocalTopology start(TopologySettings settings, Consumer<String> progress) {
        LocalTopology topology = new LocalTopology(settings, progress);
        try {
            topology.startBrokers();
            topology.createTopics();
            topology.startStages();
        } catch (RuntimeException e) {
            topology.close();
            throw e;
        }
        return topology;
    }

    /** Starts only the brokers and creates the topics; stages are added with {@link #addTeacher} and the like. */
    public static LocalTopology startKafka(TopologySettings settings, Consumer<String> progress) {
        LocalTopology topology = new LocalTopology(settings, progress);
        try {
            topology.startBrokers();
            topology.createTopics();
        } catch (RuntimeException e) {
            topology.close();
            throw e;
        }
        return topology;
    }

    /** {@code host:port,...} of every broker. */
    public String bootstrapServers() {
        return bootstrap;
    }

    /** How a client of this machine reaches the cluster, with the stages' client properties. */
    public KafkaConnection connection() {
        return KafkaConnection.resolve(bootstrap, clientProperties, Map.of());
    }

    public List<StageProcess> brokers() {
        return List.copyOf(brokers);
    }

    public List<StageProcess> ingest() {
        return List.copyOf(ingest);
    }

    public List<StageProcess> teachers() {
        return List.copyOf(teachers);
    }

    /** The {@code kclip concepts run} process; null when the job runs on the Flink session cluster. */
    public StageProcess concepts() {
        return concepts;
    }

    /** The Flink session cluster the concept job was submitted to; null without one. */
    public FlinkSessionProcesses flink() {
        return flink;
    }

    /**
     * Submits the concept job to the session cluster with {@code kclip concepts submit} (a process that ends once
     * the job is accepted): it restores the newest retained checkpoint when there is one, as after a JobManager
     * restart.
     *
     * @return the submission's line naming the job id and what it restored
     */
    public String submitConcepts() {
        List<String> args = new ArrayList<>(List.of("concepts", "submit", "--jobmanager", flink.restEndpoint(),
                "--parallelism", Integer.toString(FlinkSessionSettings.DEFAULT_SLOTS)));
        args.addAll(conceptJobArgs());
        args.addAll(List.of("--bootstrap", bootstrap, "--kafka-config", clientProperties.toString()));
        StageProcess submit = new StageProcess("concepts-submit", heap(settings.heap().concepts()), args,
                "concepts: submitted job", log("concepts-submit"), ENVIRONMENT);
        submit.start();
        int exit = submit.awaitExit(STAGE_READY);
        if (exit != 0) {
            throw new IllegalStateException("kclip concepts submit failed (exit " + exit + "):\n" + submit.tail());
        }
        String line = submit.awaitReady(Duration.ZERO);
        progress.accept("concepts  " + line.strip() + "  (Flink logs in " + flink.logDir() + ")");
        return line;
    }

    public StageProcess trainer() {
        return trainer;
    }

    /** The trainer's checkpoint store. */
    public Path trainerCheckpoints() {
        return settings.home().resolve("checkpoints");
    }

    /** The broker process of node {@code nodeId} (from 1). */
    public StageProcess broker(int nodeId) {
        return brokers.get(nodeId - 1);
    }

    /** The node id of the active KRaft controller, as the quorum reports it. */
    public int activeController() {
        try (Admin admin = Admin.create(connection().admin())) {
            return admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the quorum did not say who leads: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Starts (or restarts) a process and waits until it is ready. */
    public void restart(StageProcess process) {
        process.start();
        process.awaitReady(process.name().startsWith("broker") ? BROKER_READY : STAGE_READY);
    }

    /**
     * Adds a teacher instance to the group, or an instance of another group ({@code group}, reading {@code input},
     * writing to {@code output}; null for the pipeline's), and waits until it serves.
     */
    public StageProcess addTeacher(String group, String input, String output) {
        int n = teachers.size() + 1;
        List<String> args = new ArrayList<>(List.of("teacher", "serve", "--model", settings.teacherSpec(),
                "--instance-id", (group == null ? "teacher" : group) + "-" + n,
                "--metrics-port", Integer.toString(stagePort())));
        if (group != null) {
            args.addAll(List.of("--group", group));
        }
        if (input != null) {
            args.addAll(List.of("--input", input));
        }
        if (output != null) {
            args.addAll(List.of("--output", output));
        }
        StageProcess teacher = stage("teacher-" + n, settings.heap().teacher(), args, "teacher ");
        teachers.add(teacher);
        return teacher;
    }

    /** Stops the stages (SIGTERM, each finishing its transaction or checkpoint), then the brokers. */
    @Override
    public void close() {
        List<StageProcess> all = new ArrayList<>(stages);
        Collections.reverse(all);
        all.forEach(StageProcess::signalStop);
        all.forEach(StageProcess::stop);
        if (flink != null) {
            try {
                flink.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // all brokers at once: a node that stops last must not wait for a controller that is gone
        brokers.forEach(StageProcess::signalStop);
        brokers.forEach(StageProcess::stop);
    }

    private void startBrokers() {
        Path home = settings.home();
        String clusterId = clusterId(home);
        writeClientProperties();
        List<Integer> controllerPorts = settings.basePort() == 0 ? ports(0, settings.brokers())
                : IntStream.range(0, settings.brokers()).map(i -> settings.basePort() + 100 + i).boxed().toList();
        KraftQuorum quorum = KraftQuorum.local(clusterId, controllerPorts);
        for (int node = 1; node <= settings.brokers(); node++) {
            List<String> args = List.of("broker", "--data", home.resolve("brokers").resolve("node-" + node).toString(),
                    "--port", Integer.toString(clientPorts.get(node - 1)), "--node-id", Integer.toString(node),
                    "--quorum", quorum.votersConfig(), "--cluster-id", clusterId);
            brokers.add(new StageProcess("broker-" + node, heap(settings.heap().broker()), args, "kclip broker ready",
                    log("broker-" + node), ENVIRONMENT));
        }
        brokers.forEach(StageProcess::start);
        for (StageProcess broker : brokers) {
            broker.awaitReady(BROKER_READY);
            progress.accept(broker.name() + "  " + bootstrapOf(broker) + "  (log " + broker.log() + ")");
        }
    }

    private String bootstrapOf(StageProcess broker) {
        return "localhost:" + clientPorts.get(brokers.indexOf(broker));
    }

    private void createTopics() {
        short replication = (short) Math.min(3, settings.brokers());
        try (Admin admin = Admin.create(connection().admin())) {
            new TopicCatalogAdmin(admin).ensure(Topics.ALL, 0, replication);
        }
        progress.accept("topics    " + Topics.ALL.size() + " topics, replication " + replication
                + ", min.insync.replicas " + TopicCatalogAdmin.minInSyncReplicas(replication));
    }

    private void startStages() {
        for (int n = 1; n <= settings.ingestInstances(); n++) {
            ingest.add(stage("ingest-" + n, settings.heap().ingest(), List.of("ingest", "--state-dir",
                    settings.home().resolve("ingest-" + n).toString(), "--metrics-port", Integer.toString(stagePort())),
                    "ingest: metrics on"));
        }
        for (int n = 1; n <= settings.teacherInstances(); n++) {
            addTeacher(null, null, null);
        }
        if (settings.flinkTaskManagers() > 0) {
            startFlink();
            submitConcepts();
        } else {
            List<String> run = new ArrayList<>(List.of("concepts", "run"));
            run.addAll(conceptJobArgs());
            run.addAll(List.of("--metrics-port", Integer.toString(stagePort())));
            concepts = stage("concepts", settings.heap().concepts(), run, "concepts: running on");
        }
        trainer = stage("trainer", settings.heap().trainer(), List.of("train", "--model", settings.trainerModel(),
                "--checkpoint-dir", trainerCheckpoints().toString(),
                "--checkpoint-every-steps", "0",
                "--checkpoint-every-seconds", Long.toString(settings.trainerCheckpointSeconds()),
                "--held-out-share", "0", "--idle-replay-steps", "0",
                "--metrics-port", Integer.toString(stagePort())), "trainer ");
    }

    /** The concept job's options, the same for {@code run} and {@code submit}. */
    private List<String> conceptJobArgs() {
        return List.of("--checkpoint-dir", conceptDir().resolve("checkpoints").toUri().toString(),
                "--savepoint-dir", conceptDir().resolve("savepoints").toUri().toString(),
                "--k", Integer.toString(settings.concepts()),
                "--bootstrap-size", Integer.toString(settings.conceptBootstrap()),
                "--checkpoint-interval", settings.conceptCheckpointInterval().toMillis() + "ms");
    }

    private Path conceptDir() {
        return settings.home().resolve("concepts").toAbsolutePath();
    }

    /** A JobManager and the TaskManagers, checkpoints in the directory every one of them (and submit) sees. */
    private void startFlink() {
        boolean free = settings.basePort() == 0;
        FlinkSessionSettings session = FlinkSessionSettings.local(settings.home().resolve("flink"),
                free ? EmbeddedKafkaBroker.freePort() : FlinkSessionSettings.DEFAULT_REST_PORT,
                free ? EmbeddedKafkaBroker.freePort() : FlinkSessionSettings.DEFAULT_RPC_PORT);
        try {
            flink = FlinkSessionProcesses.create(session);
            flink.start(settings.flinkTaskManagers(), STAGE_READY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Flink session cluster", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Flink", e);
        }
        progress.accept("flink     JobManager REST on http://" + flink.restEndpoint() + ", "
                + settings.flinkTaskManagers() + " TaskManagers of " + FlinkSessionSettings.DEFAULT_SLOTS + " slots");
    }

    /** Starts a stage against the cluster, waits until it is ready, and says so. */
    private StageProcess stage(String name, int heapMb, List<String> command, String readyLine) {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("--bootstrap", bootstrap, "--kafka-config", clientProperties.toString()));
        StageProcess process = new StageProcess(name, heap(heapMb), args, readyLine, log(name), ENVIRONMENT);
        stages.add(process);
        process.start();
        String ready = process.awaitReady(STAGE_READY);
        progress.accept(name + "  " + ready.strip() + "  (log " + process.log() + ")");
        return process;
    }

    private int stagePort() {
        return nextStagePort == 0 ? 0 : nextStagePort++;
    }

    private Path log(String name) {
        return settings.home().resolve("logs").resolve(name + ".log");
    }

    private static List<String> heap(int mb) {
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        options.add("-Xmx" + mb + "m");
        return options;
    }

    /** The cluster id this home was formatted with, made and kept on the first start. */
    private static String clusterId(Path home) {
        Path file = home.resolve("cluster-id");
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            Files.createDirectories(home);
            String id = KraftQuorum.newClusterId();
            Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the cluster id in " + file, e);
        }
    }

    /** The session timeout decides how soon a killed instance's partitions go to the others. */
    private void writeClientProperties() {
        long session = settings.sessionTimeout().toMillis();
        String text = "# written by kclip cluster: read by every stage of the local topology\n"
                + "session.timeout.ms=" + session + "\n"
                + "heartbeat.interval.ms=" + Math.max(500, session / 4) + "\n";
        try {
            Files.createDirectories(settings.home());
            Files.writeString(clientProperties, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + clientProperties, e);
        }
    }

    private static List<Integer> ports(int base, int count) {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(base == 0 ? EmbeddedKafkaBroker.freePort() : base + i);
        }
        return ports;
    }
}
