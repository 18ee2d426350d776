package dev.kclip.launcher.demo;

import java.io.PrintStream;
import java.util.List;

/**
 * Shows a block of status lines while the demo runs: redrawn in place on a terminal, printed as plain lines
 * every {@code plainEvery} refreshes otherwise (logs, CI).
 */
public final class LiveView {

    private static final String UP = "\u001b[%dA";
    private static final String CLEAR_LINE = "\u001b[2K";

    private final PrintStream out;
    private final boolean terminal;
    private final int plainEvery;
    private int shown;
    private int refreshes;

    LiveView(PrintStream out, boolean terminal, int plainEvery) {
        this.out = out;
        this.terminal = terminal;
        this.plainEvery = plainEvery;
    }

    /** True when standard output is an interactive terminal. */
    public static boolean isTerminal() {
        return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    }

    void show(List<String> lines) {
        if (terminal) {
            StringBuilder frame = new StringBuilder();
            if (shown > 0) {
                frame.append(String.format(UP, shown));
            }
            for (String line : lines) {
                frame.append(CLEAR_LINE).append(line).append('\n');
            }
            for (int i = lines.size(); i < shown; i++) {
                frame.append(CLEAR_LINE).append('\n');
            }
            out.print(frame);
            out.flush();
            shown = Math.max(shown, lines.size());
        } else if (refreshes++ % plainEvery == 0) {
            lines.forEach(out::println);
            out.flush();
        }
    }

    /** Leaves the last frame on screen and continues below it. */
    void finish(List<String> lines) {
        if (terminal) {
            show(lines);
        } else {
            lines.forEach(out::println);
        }
        shown = 0;
    }
}
