package dev.kclip.launcher;

import dev.kclip.common.cli.Cli;
import dev.kclip.concepts.cli.ConceptsCommand;
import dev.kclip.concepts.cli.DriftCommand;
import dev.kclip.ingest.cli.IngestCommand;
import dev.kclip.ingest.cli.PushCommand;
import dev.kclip.teacher.cli.TeacherCommand;
import dev.kclip.trainer.cli.CheckpointsCommand;
import dev.kclip.trainer.cli.EvalCommand;
import dev.kclip.trainer.cli.TrainCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code kclip} command: one subcommand per thing a user does with the pipeline, in data-flow order. */
@Command(name = "kclip", mixinStandardHelpOptions = true, version = "kclip 0.1.0",
        description = "Knowledge-CLIP Stream: a CLIP-style model that keeps learning from a stream of image-caption pairs.",
        subcommands = {DemoCommand.class, UpCommand.class, ClusterCommand.class, BrokerCommand.class, TopicsCommand.class,
            PushCommand.class, IngestCommand.class, TeacherCommand.class, ConceptsCommand.class, DriftCommand.class,
            TrainCommand.class, CheckpointsCommand.class, EvalCommand.class, AblationCommand.class, TailCommand.class,
            FlinkCommand.class})
public final class Kclip {

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    public static void main(String[] args) {
        // charts and image codecs need no display
        System.setProperty("java.awt.headless", "true");
        System.exit(Cli.execute(new Kclip(), args));
    }
}
