package dev.kclip.concepts.job;

import dev.kclip.common.cli.Cli;
import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.concepts.cli.ConceptJobOptions;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Entry point of the job jar on a Flink cluster: {@code kclip concepts submit}, {@code flink run
 * kclip-concept-updater-…-job.jar --bootstrap …}, or the JobManager of an application cluster ({@code
 * standalone-job --job-classname …}, compose). Takes the same options as {@code kclip concepts run}.
 *
 * <p>A restore path given to Flink ({@code flink run -s}, {@code standalone-job --fromSavepoint}, the one {@code
 * submit} chose) wins; without one the job restores what {@link RecoveryPoints#toRestore} finds under its
 * {@code --checkpoint-dir} and {@code --savepoint-dir} (local directories), so an application cluster whose
 * JobManager restarted without HA continues from its last retained checkpoint instead of bootstrapping afresh.
 */
@Command(name = "concept-updater-job", mixinStandardHelpOptions = true,
        description = "The concept-updater Flink job, for flink run.")
public final class ConceptJobMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ConceptJobMain.class);

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
        String given = StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration()
                .get(StateRecoveryOptions.SAVEPOINT_PATH);
        String restore = given != null ? given : RecoveryPoints.toRestore(config).orElse(null);
        if (restore != null) {
            LOG.info("the concept-updater job restores {}", restore);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                ConceptJob.flinkConfiguration(config, restore));
        ConceptJob.buildKafkaJob(env, kafka.connection(), config);
        env.execute(ConceptJob.NAME);
        return 0;
    }
}
