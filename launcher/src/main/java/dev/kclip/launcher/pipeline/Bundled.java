package dev.kclip.launcher.pipeline;

import dev.kclip.trainer.loop.TrainerConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the repository ships for the demo and {@code kclip up}, found from the repository the command was built in
 * ({@code -Dkclip.home}, set by {@code ./kclip}), else from the working directory: the emoji-64 dataset and the
 * pretrained student {@code models/emoji-base} (see its README; {@code kclip train pretrain} made it).
 */
public final class Bundled {

    /** The pretrained base, relative to the repository. */
    public static final String BASE = "models/emoji-base";
    /** The demo's dataset, relative to the repository. */
    public static final String DATASET = "datasets/emoji-64/pairs.jsonl";

    private Bundled() {
    }

    /** The bundled emoji-64 {@code pairs.jsonl}. */
    public static Path dataset() {
        return home().resolve(DATASET);
    }

    /** The bundled pretrained base directory. */
    public static Path base() {
        return home().resolve(BASE);
    }

    /**
     * The {@code --init} a command runs with: {@code option} when given ({@code none} or a directory), else the
     * bundled base; when that is missing (a jar run outside the repository, an image without {@code models/}),
     * random weights, said in one line on {@code out}.
     */
    public static String init(String option, PrintStream out) {
        if (option != null) {
            return option;
        }
        Path base = base();
        if (Files.isRegularFile(base.resolve("config.json"))) {
            return base.toString();
        }
        out.println("kclip: no pretrained base at " + base + "; the student starts from random weights (--init "
                + TrainerConfig.NO_INIT + ")");
        return TrainerConfig.NO_INIT;
    }

    private static Path home() {
        return Path.of(System.getProperty("kclip.home", "."));
    }
}
