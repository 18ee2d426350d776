package dev.kclip.concepts.cli;

import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.UserException;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.concepts.job.RecoveryPoints;
import dev.kclip.concepts.submit.BundledJobJar;
import dev.kclip.concepts.submit.JobSubmission;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kclip concepts submit --jobmanager HOST:PORT}: the concept job on a Flink session cluster, as
 * {@code flink run} would submit it ({@link JobSubmission}); prints the job id and what it restores.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit the concept-updater job to a Flink session cluster (its REST endpoint), restoring the"
                + " newest savepoint or retained checkpoint under --checkpoint-dir/--savepoint-dir.")
public final class ConceptsSubmitCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ConceptJobOptions job;

    @Option(names = "--jobmanager", required = true, paramLabel = "HOST:PORT",
            description = "The JobManager's REST endpoint (rest.address:rest.port, 8081 by default in Flink).")
    String jobManager;

    @Option(names = "--jar", paramLabel = "FILE",
            description = "The job jar (default: the one bundled with kclip, jobs/" + BundledJobJar.FILE_NAME + ").")
    Path jar;

    @Option(names = "--force",
            description = "Submit even while a job named 'kclip concepts' is running there (only for a job on other"
                    + " topics, group and --transactional-id-prefix: two on the same input would both label it).")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int colon = jobManager.lastIndexOf(':');
        if (colon <= 0 || colon == jobManager.length() - 1) {
            throw new UserException("--jobmanager takes HOST:PORT, not " + jobManager);
        }
        String host = jobManager.substring(0, colon);
        int port = Integer.parseInt(jobManager.substring(colon + 1));
        Path jobJar = jar != null ? jar : BundledJobJar.find().orElseThrow(() -> new UserException(
                "the bundled job jar is missing (build it: mvn -B -DskipTests -pl launcher -am package), or pass"
                        + " --jar"));
        ConceptJobConfig config = job.toConfig();
        JobSubmission.Submitted submitted = JobSubmission.submit(host, port, jobJar, jobArguments(), config, force);
        PrintWriter out = spec.commandLine().getOut();
        out.println(submitted.jobId());
        out.println("concepts: submitted job " + submitted.jobId() + " to " + jobManager
                + submitted.restoredFrom().map(p -> ", restoring " + p).orElse(", starting fresh (" + nothingBecause(config) + ")"));
        out.flush();
        return 0;
    }

    /** Why nothing was restored: none found, not asked for, or directories this command cannot search. */
    static String nothingBecause(ConceptJobConfig config) {
        if (!config.resume()) {
            return "--no-resume";
        }
        List<String> remote = Stream.of(config.checkpointDir(), config.savepointDir())
                .filter(d -> d != null && !RecoveryPoints.searchable(d)).toList();
        return remote.isEmpty() ? "nothing to restore"
                : "only local directories are searched, not " + String.join(" or ", remote)
                        + ": pass --from-savepoint PATH to restore from one";
    }

    /**
     * The options this command was given that the job's main takes too (the Kafka and job options), as they were
     * written; the main reads the same KCLIP_* variables for the rest, in this process.
     */
    List<String> jobArguments() {
        Set<String> jobOptions = new HashSet<>();
        spec.mixins().values().forEach(mixin -> mixin.options().forEach(o -> jobOptions.add(o.longestName())));
        List<String> arguments = new ArrayList<>();
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            if (!jobOptions.contains(option.longestName())) {
                continue;
            }
            if (option.arity().max() == 0) {
                arguments.add(option.longestName());
            } else {
                for (String value : option.originalStringValues()) {
                    arguments.add(option.longestName());
                    arguments.add(value);
                }
            }
        }
        return arguments;
    }
}
