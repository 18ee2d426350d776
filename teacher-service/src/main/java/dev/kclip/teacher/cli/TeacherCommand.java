package dev.kclip.teacher.cli;

import dev.kclip.common.cli.Cli;
import picocli.CommandLine.Command;

/** {@code kclip teacher}: the teacher service and its tools. */
@Command(name = "teacher", mixinStandardHelpOptions = true,
        description = "Embed captions with a teacher model (Llama 2 in DJL, MiniLM, TorchScript): serve, embed, bench.",
        subcommands = {ServeCommand.class, EmbedCommand.class, BenchCommand.class})
public final class TeacherCommand {

    /** Runs {@code teacher} alone (without the kclip launcher), e.g. on a GPU machine: {@code ... TeacherCommand bench}. */
    public static void main(String[] args) {
        System.exit(Cli.execute(new TeacherCommand(), args));
    }
}
