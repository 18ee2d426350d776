package dev.kclip.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.trainer.loop.TrainerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kclip demo} and {@code kclip up} start from the repository's base unless told otherwise. */
class BundledTest {

    private final String previousHome = System.getProperty("kclip.home");
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @AfterEach
    void restoreHome() {
        if (previousHome == null) {
            System.clearProperty("kclip.home");
        } else {
            System.setProperty("kclip.home", previousHome);
        }
    }

    @Test
    void theDefaultIsTheRepositorysBase() {
        System.setProperty("kclip.home", "..");
        assertEquals(Path.of("..", "models", "emoji-base").toString(), Bundled.init(null, out));
        assertTrue(Files.isRegularFile(Path.of(Bundled.init(null, out), "model.safetensors")), "the base is committed");
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutTheBaseTheStudentStartsRandomAndSaysSo(@TempDir Path elsewhere) {
        System.setProperty("kclip.home", elsewhere.toString());
        assertEquals(TrainerConfig.NO_INIT, Bundled.init(null, out));
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("no pretrained base at "
                + elsewhere.resolve(Bundled.BASE)), printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anExplicitInitWins() {
        System.setProperty("kclip.home", "..");
        assertEquals(TrainerConfig.NO_INIT, Bundled.init(TrainerConfig.NO_INIT, out));
        assertEquals("/models/clip", Bundled.init("/models/clip", out));
    }
}
