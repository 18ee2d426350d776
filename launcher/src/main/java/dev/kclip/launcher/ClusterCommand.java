package dev.kclip.launcher;

import dev.kclip.common.cli.UserException;
import dev.kclip.common.service.StopSignal;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.PairEntry;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.launcher.cluster.ConceptJobScalingBench;
import dev.kclip.launcher.cluster.TeacherScalingBench;
import dev.kclip.launcher.pipeline.Bundled;
import dev.kclip.launcher.cluster.LocalTopology;
import dev.kclip.launcher.cluster.TopologySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kclip cluster}: the distributed topology as separate processes on this machine. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "The pipeline as separate processes, as on a cluster: 3 KRaft brokers, 2 ingest, 2 teachers, the"
                + " concept job, a trainer.",
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Bench.class})
final class ClusterCommand {

    /** The defaults of {@code up}, from the one place that writes them. */
    private static final TopologySettings DEFAULTS = TopologySettings.defaults(UpCommand.DEFAULT_HOME.resolve("cluster"));

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start every process, print where each listens, and stop them all on Ctrl-C.")
    static final class Up implements Callable<Integer> {

        @Option(names = "--home", paramLabel = "DIR",
                description = "State of every process, their logs, the cluster id (default: ${DEFAULT-VALUE}); a second"
                        + " start continues the first.")
        Path home = DEFAULTS.home();

        @Option(names = "--base-port", paramLabel = "PORT",
                description = "Brokers on PORT..PORT+2, controllers on PORT+100.., metrics on PORT+200.. (default:"
                        + " ${DEFAULT-VALUE}).")
        int basePort = DEFAULTS.basePort();

        @Option(names = "--teachers", paramLabel = "N", description = "Teacher instances (default: ${DEFAULT-VALUE}).")
        int teachers = DEFAULTS.teacherInstances();

        @Option(names = "--teacher", paramLabel = "SPEC", description = "Teacher model (default: ${DEFAULT-VALUE}).")
        String teacher = DEFAULTS.teacherSpec();

        @Option(names = "--concepts", paramLabel = "K", description = "K-means concepts (default: ${DEFAULT-VALUE}).")
        int concepts = DEFAULTS.concepts();

        @Option(names = "--bootstrap-size", paramLabel = "B",
                description = "Embeddings before the first labels; 0 = max(2048, 20·K) (default: ${DEFAULT-VALUE}).")
        int bootstrapSize = DEFAULTS.conceptBootstrap();

        @Option(names = "--task-managers", paramLabel = "N",
                description = "TaskManagers of the Flink session cluster the concept job is submitted to; 0 = `kclip"
                        + " concepts run` instead (default: ${DEFAULT-VALUE}).")
        int taskManagers = DEFAULTS.flinkTaskManagers();

        @Override
        public Integer call() {
            TopologySettings settings = TopologySettings.defaults(home).withBasePort(basePort)
                    .withTeachers(teachers, teacher).withFlinkTaskManagers(taskManagers)
                    .withConcepts(concepts, bootstrapSize, DEFAULTS.conceptCheckpointInterval());
            StopSignal stop = StopSignal.onJvmShutdown("cluster", Duration.ofMinutes(3));
            try (LocalTopology topology = LocalTopology.start(settings, line -> System.out.println("cluster: " + line))) {
                System.out.printf("cluster: ready; push pairs with `kclip push datasets/emoji-64/pairs.jsonl --bootstrap %s`,"
                        + " watch with `kclip tail kclip.train.examples --bootstrap %s`; Ctrl-C stops everything%n",
                        topology.bootstrapServers(), topology.bootstrapServers());
                System.out.flush();
                while (!stop.awaitStop(Duration.ofSeconds(1))) {
                    // the stages run in their own processes
                }
                System.out.println("cluster: stopping");
            } finally {
                stop.finished();
            }
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Throughput with 1 vs 2 teacher instances of one group, then of the concept job with 1 vs 2"
                    + " Flink TaskManagers, on the three brokers, in one run.")
    static final class Bench implements Callable<Integer> {

        @Option(names = "--home", paramLabel = "DIR", description = "The benchmark's brokers (default: a new temporary folder).")
        Path home;

        @Option(names = "--teacher", paramLabel = "SPEC", description = "Teacher model (default: ${DEFAULT-VALUE}).")
        String teacher = DEFAULTS.teacherSpec();

        @Option(names = "--pairs", paramLabel = "N", description = "Pairs of the dataset embedded per run (default: ${DEFAULT-VALUE}).")
        int pairs = 512;

        @Option(names = "--dataset", paramLabel = "FILE.jsonl", description = "Default: the bundled emoji-64.")
        Path dataset;

        @Option(names = "--concept-repeat", paramLabel = "R",
                description = "The teachers' embeddings are given to the concept job R times under new ids; 0 skips"
                        + " the TaskManager axis (default: ${DEFAULT-VALUE}).")
        int conceptRepeat = 40;

        @Override
        public Integer call() throws Exception {
            Path dir = home != null ? home : Files.createTempDirectory("kclip-cluster-bench");
            Path file = dataset != null ? dataset : Bundled.dataset();
            if (!Files.isRegularFile(file)) {
                throw new UserException("dataset " + file + " not found");
            }
            List<PairEntry> entries = new JsonlReader(ReaderOptions.DEFAULTS).read(file).entries();
            TopologySettings settings = TopologySettings.defaults(dir).withBasePort(0).withTeachers(0, teacher);
            try (LocalTopology topology = LocalTopology.startKafka(settings, line -> System.out.println("bench: " + line))) {
                new TeacherScalingBench(topology, teacher, System.out).run(entries, pairs);
                if (conceptRepeat > 0) {
                    new ConceptJobScalingBench(topology, dir, System.out).run(TeacherScalingBench.output(1), conceptRepeat);
                }
            }
            return 0;
        }
    }
}
