package dev.kclip.ingest.push.progress;

import dev.kclip.datasets.read.Skipped;
import dev.kclip.ingest.push.PushSummary;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress as plain lines at a fixed interval, for logs and pipes where a redrawn bar would be noise; with no
 * interval, only skipped entries and the summary.
 */
final class PeriodicProgressLines implements PushProgress {

    private final PrintStream out;
    private final long intervalNanos;
    private long start;
    private long total;
    private long lastLine;

    PeriodicProgressLines(PrintStream out, Duration interval) {
        this.out = out;
        this.intervalNanos = interval == null ? Long.MAX_VALUE : interval.toNanos();
    }

    @Override
    public synchronized void started(String source, long total) {
        this.start = System.nanoTime();
        this.lastLine = start;
        this.total = total;
        if (intervalNanos != Long.MAX_VALUE) {
            out.println(String.format(java.util.Locale.ROOT, "pushing %,d pairs from %s", total, source));
        }
    }

    @Override
    public synchronized void advanced(long done, long bytes) {
        long now = System.nanoTime();
        if (now - lastLine >= intervalNanos) {
            lastLine = now;
            out.println(ProgressText.line(done, total, bytes, now - start));
        }
    }

    @Override
    public synchronized void skipped(Skipped skipped) {
        out.println("skipped " + skipped);
    }

    @Override
    public synchronized void finished(PushSummary summary) {
        out.println(summary.render());
        out.flush();
    }
}
