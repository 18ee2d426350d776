package dev.kclip.ingest.push.progress;

import dev.kclip.datasets.read.Skipped;
import dev.kclip.ingest.push.PushSummary;
import java.io.PrintStream;
import java.time.Duration;

/** Reports a push as it goes: a progress bar on a terminal, periodic lines otherwise, or nothing. */
public interface PushProgress {

    /** The push begins; {@code total} pairs are to be sent. */
    void started(String source, long total);

    /** {@code done} pairs ({@code bytes} record bytes) have been sent so far. */
    void advanced(long done, long bytes);

    /** An entry was left out; reported as it happens, with its location. */
    void skipped(Skipped skipped);

    /** The push is over. */
    void finished(PushSummary summary);

    /** Reports nothing (for pushes from code). */
    static PushProgress silent() {
        return new PushProgress() {
            @Override
            public void started(String source, long total) {
            }

            @Override
            public void advanced(long done, long bytes) {
            }

            @Override
            public void skipped(Skipped skipped) {
            }

            @Override
            public void finished(PushSummary summary) {
            }
        };
    }

    /** Skipped entries and the summary, no progress. */
    static PushProgress summaryOnly(PrintStream out) {
        return new PeriodicProgressLines(out, null);
    }

    /** A bar redrawn in place, for terminals. */
    static PushProgress bar(PrintStream out) {
        return new TerminalProgressBar(out);
    }

    /** A plain progress line every five seconds, for logs and pipes. */
    static PushProgress lines(PrintStream out) {
        return new PeriodicProgressLines(out, Duration.ofSeconds(5));
    }

    /** {@link #bar} when the process has a terminal, else {@link #lines}. */
    static PushProgress auto(PrintStream out) {
        return System.console() != null ? bar(out) : lines(out);
    }
}
