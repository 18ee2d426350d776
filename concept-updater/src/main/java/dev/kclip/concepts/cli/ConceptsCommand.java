package dev.kclip.concepts.cli;

import picocli.CommandLine.Command;

/** {@code kclip concepts}: the concept updater. */
@Command(name = "concepts", mixinStandardHelpOptions = true,
        description = "Online K-means over teacher embeddings: soft concept labels, centroid snapshots, drift.",
        subcommands = {ConceptsRunCommand.class, ConceptsSubmitCommand.class, ConceptsBenchCommand.class})
public final class ConceptsCommand {
}
