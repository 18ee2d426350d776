package dev.kclip.trainer.cli;

import dev.kclip.common.cli.Cli;

/** {@code kclip checkpoints ...} in a process of its own (what the launcher's {@code kclip} runs), for the ITs. */
public final class CheckpointsProcess {

    private CheckpointsProcess() {
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new CheckpointsCommand(), args));
    }
}
