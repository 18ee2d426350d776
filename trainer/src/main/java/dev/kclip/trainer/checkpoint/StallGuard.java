package dev.kclip.trainer.checkpoint;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A response body that fails when no byte arrives for a while. The HTTP client's request timeout ends with the
 * headers; a server that stalls mid-body would otherwise hold a follower forever. Closing the body from the
 * watchdog's thread makes the blocked read throw, and the follower keeps what is staged for the next try.
 */
final class StallGuard extends FilterInputStream {

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "checkpoint-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final long stallNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile boolean stalled;

    private StallGuard(InputStream in, Duration stall) {
        super(in);
        this.stallNanos = stall.toNanos();
        long period = Math.max(1, stall.toMillis() / 4);
        this.check = WATCHDOG.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** {@code in}, closed (its reads failing) once {@code stall} passes without a byte. */
    static InputStream guard(InputStream in, Duration stall) {
        return new StallGuard(in, stall);
    }

    private void check() {
        if (System.nanoTime() - lastProgressNanos > stallNanos) {
            stalled = true;
            check.cancel(false);
            try {
                in.close();
            } catch (IOException ignored) {
                // the reader sees the failure
            }
        }
    }

    @Override
    public int read() throws IOException {
        try {
            return progressed(super.read());
        } catch (IOException e) {
            throw stalled ? stallFailure(e) : e;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return progressed(super.read(b, off, len));
        } catch (IOException e) {
            throw stalled ? stallFailure(e) : e;
        }
    }

    private int progressed(int result) {
        lastProgressNanos = System.nanoTime();
        return result;
    }

    private IOException stallFailure(IOException cause) {
        return new IOException("no data for " + Duration.ofNanos(stallNanos).toMillis() + " ms: the download stalled",
                cause);
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        super.close();
    }
}
