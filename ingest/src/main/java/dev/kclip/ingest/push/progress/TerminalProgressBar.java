package dev.kclip.ingest.push.progress;

import dev.kclip.datasets.read.Skipped;
import dev.kclip.ingest.push.PushSummary;
import java.io.PrintStream;

/** A progress bar redrawn in place (carriage return), at most ten times a second. */
final class TerminalProgressBar implements PushProgress {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final String CLEAR_LINE = "\r\033[K";

    private final PrintStream out;
    private long start;
    private long total;
    private long lastDraw;
    private long done;
    private long bytes;

    TerminalProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void started(String source, long total) {
        this.start = System.nanoTime();
        this.total = total;
        out.println(String.format(java.util.Locale.ROOT, "pushing %,d pairs from %s", total, source));
        draw();
    }

    @Override
    public synchronized void advanced(long done, long bytes) {
        this.done = done;
        this.bytes = bytes;
        if (System.nanoTime() - lastDraw >= REDRAW_NANOS) {
            draw();
        }
    }

    @Override
    public synchronized void skipped(Skipped skipped) {
        out.print(CLEAR_LINE);
        out.println("skipped " + skipped);
        draw();
    }

    @Override
    public synchronized void finished(PushSummary summary) {
        draw();
        out.println();
        out.println(summary.render());
        out.flush();
    }

    private void draw() {
        lastDraw = System.nanoTime();
        out.print(CLEAR_LINE + ProgressText.bar(done, total, bytes, lastDraw - start, WIDTH));
        out.flush();
    }
}
