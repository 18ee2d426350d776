package dev.kclip.ingest.push.progress;

import java.util.Locale;

/** The text of progress reports, as pure functions of the counts and the elapsed time. */
final class ProgressText {

    private ProgressText() {
    }

    /** {@code [#########-----------]  1,024/1,911  54%  850 pairs/s  3.2 MB/s  ETA 0:01} */
    static String bar(long done, long total, long bytes, long elapsedNanos, int width) {
        double fraction = total <= 0 ? 1 : Math.min(1, done / (double) total);
        int filled = (int) Math.round(fraction * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]  " + counts(done, total, bytes, elapsedNanos, "  ");
    }

    /** {@code pushed 1,024/1,911 (54%), 850 pairs/s, 3.2 MB/s, ETA 0:01} */
    static String line(long done, long total, long bytes, long elapsedNanos) {
        return "pushed " + counts(done, total, bytes, elapsedNanos, ", ").replaceFirst(" (\\d+%)", " ($1)");
    }

    private static String counts(long done, long total, long bytes, long elapsedNanos, String separator) {
        double seconds = Math.max(1e-9, elapsedNanos / 1e9);
        double rate = done / seconds;
        int percent = total <= 0 ? 100 : (int) (100 * done / total);
        String eta = done == 0 || rate <= 0 ? "--:--" : clock((total - done) / rate);
        return String.format(Locale.ROOT, "%,d/%,d %d%%", done, total, percent) + separator
                + String.format(Locale.ROOT, "%,.0f pairs/s", rate) + separator
                + String.format(Locale.ROOT, "%.1f MB/s", bytes / 1e6 / seconds) + separator
                + "ETA " + eta;
    }

    /** Seconds as {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String clock(double seconds) {
        long total = Math.round(seconds);
        long hours = total / 3600;
        long minutes = total % 3600 / 60;
        long secs = total % 60;
        return hours > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, secs)
                : String.format(Locale.ROOT, "%d:%02d", minutes, secs);
    }
}
