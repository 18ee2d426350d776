package dev.kclip.common.live;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The live page's files, served from the jar: {@code index.html}, {@code live.js} and {@code charts.js}, the chart
 * script the demo's static report carries inline too (so both draw their charts with the same code).
 */
public final class LiveResources {

    private LiveResources() {
    }

    /** The shared chart script ({@code KclipCharts}: line, stacked-area, heat-map, evaluation, concept and drift charts). */
    public static String chartScript() {
        return text("charts.js");
    }

    /** The live page itself. */
    public static String page() {
        return text("index.html");
    }

    /** The live page's script: polls {@code live.json} and draws what it holds. */
    public static String pageScript() {
        return text("live.js");
    }

    /** A file of the page by name ({@code index.html}, {@code live.js}, {@code charts.js}). */
    static String text(String name) {
        try (InputStream in = LiveResources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the live page's " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
