package dev.kclip.common.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a service's live page shows, kept in memory and bounded: its {@link LiveSource}s, sampled every
 * {@link #SAMPLE_INTERVAL} on one daemon thread, each keeping at most {@link #POINTS} points per figure. The page
 * polls {@link #json()}.
 */
public final class LiveBoard implements AutoCloseable {

    /** How often the sources are sampled (and so how often the page has something new). */
    public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(2);
    /** Points kept per figure: ten minutes at the sample interval. */
    public static final int POINTS = 300;

    private static final Logger LOG = LoggerFactory.getLogger(LiveBoard.class);

    private final String service;
    private final List<LiveSource> sources = new CopyOnWriteArrayList<>();
    private final AtomicLong samples = new AtomicLong();
    private final ScheduledExecutorService sampler;

    private LiveBoard(String service, ScheduledExecutorService sampler) {
        this.service = service;
        this.sampler = sampler;
    }

    /** A board that samples its sources every {@code interval} on a daemon thread named after the service. */
    public static LiveBoard start(String service, Duration interval) {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kclip-live-" + service);
            t.setDaemon(true);
            return t;
        });
        LiveBoard board = new LiveBoard(service, sampler);
        sampler.scheduleWithFixedDelay(() -> board.sample(System.currentTimeMillis()), 0, interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return board;
    }

    /** A board sampled only when {@link #sample} is called (for tests). */
    static LiveBoard manual(String service) {
        return new LiveBoard(service, null);
    }

    /** Adds a source; the board closes it when it closes. */
    public void add(LiveSource source) {
        sources.add(source);
    }

    /** Samples every source once; one that fails is logged and skipped, the others still sample. */
    void sample(long nowMillis) {
        for (LiveSource source : sources) {
            try {
                source.sample(nowMillis);
            } catch (RuntimeException e) {
                LOG.debug("live page source {} failed to sample: {}", source.getClass().getSimpleName(), e.toString());
            }
        }
        samples.incrementAndGet();
    }

    /** The page's data: the service, the time, how many samples were taken, and every source's fields. */
    public String json() {
        ObjectNode page = JsonNodes.object().put("service", service).put("time", System.currentTimeMillis())
                .put("samples", samples.get());
        for (LiveSource source : sources) {
            source.write(page);
        }
        return page.toString();
    }

    /** Stops sampling and closes the sources. */
    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
            try {
                sampler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (LiveSource source : sources) {
            try {
                source.close();
            } catch (RuntimeException e) {
                LOG.warn("live page source {} did not close cleanly: {}", source.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
