package dev.kclip.launcher.cluster;

import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.teacher.onnx.OnnxMiniLmTeacher;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The shape of a {@link LocalTopology}: where its state lives, its ports, how many instances of each stage, and the
 * few settings that make it small enough for one machine.
 *
 * @param home every node's and stage's state, the logs, the cluster id and the client properties
 * @param basePort brokers listen on basePort..basePort+2, controllers on basePort+100.., stages' metrics on
 *     basePort+200..; Flink's REST on 8081 and RPC on 6123; 0 = free ports (tests)
 * @param brokers KRaft nodes (broker + controller each); 3 gives replication 3 and min.insync.replicas 2
 * @param ingestInstances Kafka Streams instances of one application id
 * @param teacherInstances teacher instances in one consumer group
 * @param teacherSpec the teacher model ({@code kclip teacher serve --model})
 * @param trainerModel the student ({@code kclip train --model})
 * @param concepts K of the concept job
 * @param conceptBootstrap records the concept job's K-means bootstrap waits for; 0 = its default
 * @param conceptCheckpointInterval Flink's checkpoint interval: labelled records become visible at each
 * @param trainerCheckpointSeconds the trainer's checkpoint cadence
 * @param sessionTimeout the consumer groups' session timeout: how soon a dead instance's partitions move
 * @param heap the {@code -Xmx} of the brokers and stages, in MiB, per role
 * @param flinkTaskManagers TaskManagers of a Flink session cluster (a JobManager and these, separate JVMs on
 *     Flink's jars only) the concept job is submitted to with {@code kclip concepts submit}; 0 = the job runs as
 *     {@code kclip concepts run} on a MiniCluster in its own process
 */
public record TopologySettings(Path home, int basePort, int brokers, int ingestInstances, int teacherInstances,
        String teacherSpec, String trainerModel, int concepts, int conceptBootstrap, Duration conceptCheckpointInterval,
        long trainerCheckpointSeconds, Duration sessionTimeout, Heaps heap, int flinkTaskManagers) {

    /** Kafka's and the kclip command's usual first port. */
    public static final int DEFAULT_BASE_PORT = 9092;
    private static final ConceptSettings CONCEPTS = ConceptJobConfig.defaults().concepts();

    /** Heap sizes in MiB. */
    public record Heaps(int broker, int ingest, int teacher, int concepts, int trainer) {
        /** Small enough for eight JVMs on one machine. */
        public static final Heaps SMALL = new Heaps(384, 256, 512, 512, 768);
    }

    public TopologySettings {
        if (brokers < 1 || ingestInstances < 1 || teacherInstances < 0) {
            throw new IllegalArgumentException("at least one broker and one ingest instance, not " + brokers + " and "
                    + ingestInstances);
        }
    }

    /**
     * What {@code kclip cluster up} runs: three brokers, two ingest and two teacher instances ({@code onnx-minilm}),
     * the concept job on a Flink session cluster of a JobManager and two TaskManagers, and a {@code tiny} trainer,
     * on ports from 9092.
     */
    public static TopologySettings defaults(Path home) {
        return new TopologySettings(home, DEFAULT_BASE_PORT, 3, 2, 2, OnnxMiniLmTeacher.SPEC, "tiny",
                CONCEPTS.kmeans().k(), CONCEPTS.bootstrapSize(), Duration.ofSeconds(5), 20, Duration.ofSeconds(10),
                Heaps.SMALL, 2);
    }

    public TopologySettings withBasePort(int port) {
        return new TopologySettings(home, port, brokers, ingestInstances, teacherInstances, teacherSpec, trainerModel,
                concepts, conceptBootstrap, conceptCheckpointInterval, trainerCheckpointSeconds, sessionTimeout, heap, flinkTaskManagers);
    }

    public TopologySettings withTeachers(int instances, String spec) {
        return new TopologySettings(home, basePort, brokers, ingestInstances, instances, spec, trainerModel, concepts,
                conceptBootstrap, conceptCheckpointInterval, trainerCheckpointSeconds, sessionTimeout, heap, flinkTaskManagers);
    }

    public TopologySettings withConcepts(int k, int bootstrap, Duration checkpointInterval) {
        return new TopologySettings(home, basePort, brokers, ingestInstances, teacherInstances, teacherSpec,
                trainerModel, k, bootstrap, checkpointInterval, trainerCheckpointSeconds, sessionTimeout, heap, flinkTaskManagers);
    }

    public TopologySettings withTrainer(String model, long checkpointSeconds) {
        return new TopologySettings(home, basePort, brokers, ingestInstances, teacherInstances, teacherSpec, model,
                concepts, conceptBootstrap, conceptCheckpointInterval, checkpointSeconds, sessionTimeout, heap, flinkTaskManagers);
    }

    public TopologySettings withFlinkTaskManagers(int taskManagers) {
        return new TopologySettings(home, basePort, brokers, ingestInstances, teacherInstances, teacherSpec,
                trainerModel, concepts, conceptBootstrap, conceptCheckpointInterval, trainerCheckpointSeconds,
                sessionTimeout, heap, taskManagers);
    }

    public TopologySettings withSessionTimeout(Duration timeout) {
        return new TopologySettings(home, basePort, brokers, ingestInstances, teacherInstances, teacherSpec,
                trainerModel, concepts, conceptBootstrap, conceptCheckpointInterval, trainerCheckpointSeconds, timeout,
                heap, flinkTaskManagers);
    }
}
