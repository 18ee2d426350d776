package dev.kclip.launcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report opens in a real browser: headless Chromium (Debian's {@code chromium}, which {@code .ci/run}
 * installs) loads the page, runs its check script and every chart and example image decodes.
 */
class ReportInChromiumIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path dir;

    @Test
    void everyChartRendersInHeadlessChromium() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Debian's chromium is not installed (.ci/run installs it)");
        Path index = ReportWriter.write(ReportWriterTest.sample(), dir);

        Process chromium = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("profile"),
                "--virtual-time-budget=10000", "--dump-dom", index.toUri().toString()))
                .redirectError(dir.resolve("chromium.log").toFile()).start();
        String dom = new String(chromium.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(chromium.waitFor(60, TimeUnit.SECONDS), "chromium finished");

        Matcher rendered = Pattern.compile("data-plots-rendered=\"(\\d+)/(\\d+)\"").matcher(dom);
        assertTrue(rendered.find(), "the page's load script ran; DOM starts: " + dom.substring(0, Math.min(300, dom.length())));
        assertEquals("8", rendered.group(2), "charts on the page");
        assertEquals(rendered.group(2), rendered.group(1), "every chart drew in the browser");
        assertTrue(dom.contains("<h2>Drift per window</h2>"));
        assertTrue(dom.contains("<h2>Continual evaluation: zero-shot top-1 per bucket, per checkpoint</h2>"));
    }
}
