package dev.kclip.concepts.cli;

import picocli.CommandLine.Command;

/** {@code kclip drift}: concept drift reports. */
@Command(name = "drift", mixinStandardHelpOptions = true, description = "Concept drift reports of the concept updater.",
        subcommands = {DriftWatchCommand.class})
public final class DriftCommand {
}
