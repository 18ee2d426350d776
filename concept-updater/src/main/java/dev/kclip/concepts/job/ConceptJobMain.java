package dev.kclip.concepts.job;

import dev.kclip.common.cli.Cli;
import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.concepts.cli.ConceptJobOptions;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Entry point of the job jar on a Flink cluster: {@code flink run kclip-concept-updater-…-job.jar --bootstrap …}
 * (restore with {@code flink run -s <savepoint>}). Takes the same options as {@code kclip concepts run}.
 */
@Command(name = "concept-updater-job", mixinStandardHelpOptions = true,
        description = "The concept-updater Flink job, for flink run.")
public final class ConceptJobMain implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ConceptJobOptions job;

    public static void main(String[] args) {
        int code = Cli.execute(new ConceptJobMain(), args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws Exception {
        ConceptJobConfig config = job.toConfig();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                ConceptJob.flinkConfiguration(config, null));
        ConceptJob.buildKafkaJob(env, kafka.connection(), config);
        env.execute("kclip concepts");
        return 0;
    }
}
