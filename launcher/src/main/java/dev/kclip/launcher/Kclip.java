package dev.kclip.launcher;

import dev.kclip.common.cli.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code kclip} command: one subcommand per thing a user does with the pipeline. */
@Command(name = "kclip", mixinStandardHelpOptions = true, version = "kclip 0.1.0",
        description = "Knowledge-CLIP Stream: a CLIP-style model that keeps learning from a stream of image-caption pairs.",
        subcommands = {BrokerCommand.class, TopicsCommand.class, TailCommand.class})
public final class Kclip {

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(Cli.execute(new Kclip(), args));
    }
}
