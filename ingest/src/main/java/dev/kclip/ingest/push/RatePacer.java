package dev.kclip.ingest.push;

/** Spaces sends evenly to keep to a rate: the n-th send is due n / rate seconds after the start. */
final class RatePacer {

    private final double perSecond;

    /** @param perSecond the rate; 0 or less for no limit */
    RatePacer(double perSecond) {
        this.perSecond = perSecond;
    }

    /** Nanoseconds to wait before the next send, after {@code sent} sends in {@code elapsedNanos}. */
    long waitNanos(long sent, long elapsedNanos) {
        if (perSecond <= 0) {
            return 0;
        }
        long due = (long) (sent * 1e9 / perSecond);
        return Math.max(0, due - elapsedNanos);
    }
}
