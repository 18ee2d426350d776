package dev.kclip.launcher.cluster;

import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.datasets.read.PairEntry;
import dev.kclip.ingest.push.Pusher;
import dev.kclip.ingest.push.progress.PushProgress;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Teacher throughput with 1 and with 2 instances of one group, in one run on the three-broker topology. For each
 * instance count, a group of that many teacher processes reads an input topic and writes an output topic of its
 * own; once every instance is ready and the group is stable (each instance owns its partitions), N pairs are
 * pushed to the input, timed from the first push to the N-th committed embedding. The ratio is what a second
 * teacher machine buys. The teacher reads only the caption, so the raw pairs go to its input without ingest.
 */
public final class TeacherScalingBench {

    /** Seconds and throughput of one instance count. */
    public record Result(int instances, double seconds, double pairsPerSecond) {
    }

    private final LocalTopology topology;
    private final String teacher;
    private final PrintStream out;

    /** On a topology started with {@link LocalTopology#startKafka} (no stages of its own). */
    public TeacherScalingBench(LocalTopology topology, String teacher, PrintStream out) {
        this.topology = topology;
        this.teacher = teacher;
        this.out = out;
    }

    /** Runs 1 then 2 instances over the first {@code pairs} entries; prints and returns both. */
    public List<Result> run(List<PairEntry> entries, int pairs) throws Exception {
        List<PairEntry> batch = entries.subList(0, Math.min(pairs, entries.size()));
        Result one = measure(1, batch);
        Result two = measure(2, batch);
        out.printf("bench: %d pairs, teacher %s: 1 instance %.1f pairs/s (%.1f s), 2 instances %.1f pairs/s"
                + " (%.1f s): %.2fx%n", batch.size(), teacher, one.pairsPerSecond(), one.seconds(),
                two.pairsPerSecond(), two.seconds(), two.pairsPerSecond() / one.pairsPerSecond());
        return List.of(one, two);
    }

    /** The topic that holds the embeddings of the run with {@code instances} teachers, once it ran. */
    public static String output(int instances) {
        return "kclip.bench.embeddings-" + instances;
    }

    private Result measure(int instances, List<PairEntry> batch) throws Exception {
        int pairs = batch.size();
        String group = "bench-teachers-" + instances;
        String input = "kclip.bench.pairs-" + instances;
        String output = output(instances);
        try (Admin admin = Admin.create(topology.connection().admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(
                    new TopicSpec(input, Topics.PAIRS.partitions(), Topics.PAIRS.config(), ImageCaptionPair.class,
                            "pair id", "teacher scaling benchmark input"),
                    new TopicSpec(output, Topics.TEACHER_EMBEDDINGS.partitions(), Topics.TEACHER_EMBEDDINGS.config(),
                            EmbeddedPair.class, "pair id", "teacher scaling benchmark output")), 0);
        }
        List<StageProcess> teachers = new ArrayList<>();
        try (TopicRecorder watch = new TopicRecorder(topology.connection(), List.of(output))) {
            for (int i = 0; i < instances; i++) {
                teachers.add(topology.addTeacher(group, input, output));
            }
            awaitStable(topology, group, instances);
            long start = System.nanoTime();
            try (Pusher pusher = Pusher.open(topology.connection(), input, PushProgress.silent())) {
                pusher.pushInOrder("bench", batch);
            }
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

    /** Waits until the group has {@code members} members, each with partitions assigned. */
    private static void awaitStable(LocalTopology topology, String group, int members) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = Admin.create(topology.connection().admin())) {
            while (true) {
                ConsumerGroupDescription d;
                try {
                    d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof GroupIdNotFoundException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);   // the first instance has not joined yet
                    continue;
                }
                if (d.groupState() == GroupState.STABLE && d.members().size() == members
                        && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("group " + group + " not stable with " + members + " members: " + d);
                }
                Thread.sleep(200);
            }
        }
    }
}
