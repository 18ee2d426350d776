package dev.kclip.common.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Runs a picocli command tree the way every kclip command behaves: a user error prints one line
 * ({@code kclip: error: ...}) and exits 1; a usage error prints the message and usage and exits 2; a stack trace
 * is printed only with {@code --verbose}. Options can also be set from the environment ({@link EnvironmentDefaults}).
 */
public final class Cli {

    private Cli() {
    }

    /** Parses and runs {@code args}; returns the exit code. */
    public static int execute(Object root, String... args) {
        return configure(new CommandLine(root)).execute(args);
    }

    /** Applies kclip's error handling and environment defaults to {@code commandLine}. */
    public static CommandLine configure(CommandLine commandLine) {
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setDefaultValueProvider(new EnvironmentDefaults(System.getenv()));
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            boolean verbose = parseResult.originalArgs().contains("--verbose");
            PrintWriter err = cl.getErr();
            err.println("kclip: error: " + describe(e));
            if (verbose) {
                e.printStackTrace(err);
            } else if (!isUserError(e)) {
                err.println("kclip: (run with --verbose for the stack trace)");
            }
            err.flush();
            return 1;
        });
        return commandLine;
    }

    private static boolean isUserError(Throwable e) {
        return e instanceof UserException || e instanceof IllegalArgumentException;
    }

    private static String describe(Throwable e) {
        Throwable shown = e;
        while (shown.getMessage() == null && shown.getCause() != null) {
            shown = shown.getCause();
        }
        if (shown instanceof UserException || shown instanceof IllegalArgumentException
                || shown instanceof IllegalStateException) {
            return shown.getMessage();
        }
        return shown.getClass().getSimpleName() + (shown.getMessage() == null ? "" : ": " + shown.getMessage());
    }
}
