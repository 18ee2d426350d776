package dev.kclip.common.service;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Tells a long-running loop to stop, and lets whoever asked wait until it has finished its clean-up (final
 * checkpoint, transaction closed). {@link #onJvmShutdown} ties it to Ctrl-C / SIGTERM.
 */
public final class StopSignal {

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    /** A signal tripped by JVM shutdown; the shutdown waits up to {@code grace} for {@link #finished()}. */
    public static StopSignal onJvmShutdown(String name, Duration grace) {
        StopSignal signal = new StopSignal();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            signal.stop();
            signal.awaitFinished(grace);
        }, "kclip-stop-" + name));
        return signal;
    }

    /** Asks the loop to stop. */
    public void stop() {
        stopRequested.countDown();
    }

    public boolean isStopRequested() {
        return stopRequested.getCount() == 0;
    }

    /** Sleeps up to {@code timeout}, returning early (true) when stop is requested. */
    public boolean awaitStop(Duration timeout) {
        try {
            return stopRequested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** The loop calls this when its clean-up is done. */
    public void finished() {
        finished.countDown();
    }

    /** Waits for {@link #finished()}; true when it came in time. */
    public boolean awaitFinished(Duration timeout) {
        try {
            return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
