package dev.kclip.flink.session;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How a local Flink session cluster is laid out.
 *
 * @param home the folder of the cluster: {@code conf/} (config.yaml, log4j.properties), {@code log/} (one log and
 *     one stdout file per process), and by default {@code checkpoints/} and {@code savepoints/}
 * @param host the address every process binds and advertises (loopback for one machine)
 * @param restPort the JobManager's REST endpoint (clients, {@code kclip concepts submit})
 * @param rpcPort the JobManager's RPC port, fixed so TaskManagers find a restarted JobManager again
 * @param slotsPerTaskManager {@code taskmanager.numberOfTaskSlots}; 2 lets one TaskManager alone run a job at
 *     parallelism 2 after the other died
 * @param checkpointDir cluster default of {@code execution.checkpointing.dir} (a URI every TaskManager and the
 *     JobManager reach: a local folder on one machine, a shared file system or S3 on a real cluster)
 * @param savepointDir cluster default of {@code execution.checkpointing.savepoint-dir}
 * @param heartbeatInterval {@code heartbeat.interval}
 * @param heartbeatTimeout {@code heartbeat.timeout}: how long a killed TaskManager (or JobManager) goes unnoticed
 *     at most (Flink's default 50 s is for real networks; loopback needs seconds)
 * @param jobManagerMemory {@code jobmanager.memory.process.size}, e.g. {@code 768m}
 * @param taskManagerMemory {@code taskmanager.memory.process.size}, e.g. {@code 1g}
 * @param extra further Flink options, written last (they win)
 */
public record FlinkSessionSettings(Path home, String host, int restPort, int rpcPort, int slotsPerTaskManager,
        String checkpointDir, String savepointDir, Duration heartbeatInterval, Duration heartbeatTimeout,
        String jobManagerMemory, String taskManagerMemory, Map<String, String> extra) {

    /** Slots per TaskManager by default. */
    public static final int DEFAULT_SLOTS = 2;
    /** Flink's REST port by default. */
    public static final int DEFAULT_REST_PORT = 8081;
    /** Flink's JobManager RPC port by default. */
    public static final int DEFAULT_RPC_PORT = 6123;

    public FlinkSessionSettings {
        if (home == null || host == null || host.isBlank()) {
            throw new IllegalArgumentException("a home folder and a host are required");
        }
        if (restPort < 1 || rpcPort < 1 || restPort == rpcPort) {
            throw new IllegalArgumentException("REST and RPC need two fixed ports, not " + restPort + " and " + rpcPort);
        }
        if (slotsPerTaskManager < 1) {
            throw new IllegalArgumentException("a TaskManager needs at least one slot, not " + slotsPerTaskManager);
        }
        if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("the heartbeat timeout must exceed its interval");
        }
        extra = Map.copyOf(extra);
    }

    /**
     * A cluster in {@code home} on loopback: 2 slots per TaskManager, checkpoints and savepoints under {@code home}
     * (shared by every process of the machine), heartbeats every second with a 5 s timeout, a 768 MB JobManager
     * and 1 GB TaskManagers.
     */
    public static FlinkSessionSettings local(Path home, int restPort, int rpcPort) {
        Path root = home.toAbsolutePath().normalize();
        return new FlinkSessionSettings(root, "localhost", restPort, rpcPort, DEFAULT_SLOTS,
                root.resolve("checkpoints").toUri().toString(), root.resolve("savepoints").toUri().toString(),
                Duration.ofSeconds(1), Duration.ofSeconds(5), "768m", "1g", Map.of());
    }

    /** The REST endpoint as {@code host:port}. */
    public String restEndpoint() {
        return host + ":" + restPort;
    }

    public FlinkSessionSettings withDirectories(String checkpoints, String savepoints) {
        return new FlinkSessionSettings(home, host, restPort, rpcPort, slotsPerTaskManager, checkpoints, savepoints,
                heartbeatInterval, heartbeatTimeout, jobManagerMemory, taskManagerMemory, extra);
    }

    public FlinkSessionSettings withSlots(int slots) {
        return new FlinkSessionSettings(home, host, restPort, rpcPort, slots, checkpointDir, savepointDir,
                heartbeatInterval, heartbeatTimeout, jobManagerMemory, taskManagerMemory, extra);
    }

    public FlinkSessionSettings withExtra(Map<String, String> options) {
        return new FlinkSessionSettings(home, host, restPort, rpcPort, slotsPerTaskManager, checkpointDir,
                savepointDir, heartbeatInterval, heartbeatTimeout, jobManagerMemory, taskManagerMemory, options);
    }
}
