package dev.kclip.launcher.cluster;

import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.datasets.read.PairEntry;
import dev.kclip.ingest.push.Pusher;
import dev.kclip.ingest.push.progress.PushProgress;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * Teacher throughput with 1 and with 2 instances of one group, in one run on the three-broker topology: N pairs
 * are pushed once into {@code kclip.pairs}; then for each instance count a new group of that many teacher processes
 * embeds all N into a topic of its own, timed from the moment every instance is ready to the N-th committed
 * embedding (the group's rebalance included). The ratio is what a second teacher machine buys.
 */
public final class TeacherScalingBench {

    /** Seconds and throughput of one instance count. */
    public record Result(int instances, double seconds, double pairsPerSecond) {
    }

    private final TopologySettings settings;
    private final PrintStream out;

    public TeacherScalingBench(TopologySettings settings, PrintStream out) {
        this.settings = settings.withTeachers(0, settings.teacherSpec());
        this.out = out;
    }

    /** Runs 1 then 2 instances over the first {@code pairs} entries; prints and returns both. */
    public List<Result> run(List<PairEntry> entries, int pairs) throws Exception {
        List<PairEntry> batch = entries.subList(0, Math.min(pairs, entries.size()));
        try (LocalTopology topology = LocalTopology.startKafka(settings, line -> out.println("bench: " + line))) {
            // the teacher reads only the caption: the raw pairs go straight to its input
            try (Pusher pusher = Pusher.open(topology.connection(), Topics.PAIRS.name(), PushProgress.silent())) {
                pusher.pushInOrder("bench", batch);
            }
            Result one = measure(topology, 1, batch.size());
            Result two = measure(topology, 2, batch.size());
            out.printf("bench: %d pairs, teacher %s: 1 instance %.1f pairs/s (%.1f s), 2 instances %.1f pairs/s"
                    + " (%.1f s): %.2fx%n", batch.size(), settings.teacherSpec(), one.pairsPerSecond(), one.seconds(),
                    two.pairsPerSecond(), two.seconds(), two.pairsPerSecond() / one.pairsPerSecond());
            return List.of(one, two);
        }
    }

    private Result measure(LocalTopology topology, int instances, int pairs) throws Exception {
        String group = "bench-teachers-" + instances;
        String output = "kclip.bench.embeddings-" + instances;
        try (Admin admin = Admin.create(topology.connection().admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(new TopicSpec(output, Topics.TEACHER_EMBEDDINGS.partitions(),
                    Map.of("max.message.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES)), EmbeddedPair.class,
                    "pair id", "teacher scaling benchmark output")), 0);
        }
        List<StageProcess> teachers = new ArrayList<>();
        try (TopicWatch watch = new TopicWatch(topology.connection(), List.of(output))) {
            for (int i = 0; i < instances; i++) {
                teachers.add(topology.addTeacher(group, output));
            }
            long start = System.nanoTime();
            watch.await(output, s -> watch.of(output).size() >= pairs, Duration.ofHours(1), pairs + " embeddings");
            double seconds = (System.nanoTime() - start) / 1e9;
            Result result = new Result(instances, seconds, pairs / seconds);
            out.printf("bench: %d teacher instance(s): %d pairs in %.1f s, %.1f pairs/s%n", instances, pairs, seconds,
                    result.pairsPerSecond());
            return result;
        } finally {
            teachers.forEach(StageProcess::signalStop);
            teachers.forEach(StageProcess::stop);
        }
    }
}
