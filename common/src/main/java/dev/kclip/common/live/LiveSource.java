package dev.kclip.common.live;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One part of what a live page shows (a service's meters, the consumer groups' progress, what the topics say). A
 * source keeps a bounded amount of history; the board asks it to {@link #sample} on its own thread at a fixed
 * interval, and to {@link #write} its part of the page's JSON on a request's thread.
 */
public interface LiveSource extends AutoCloseable {

    /** Takes one sample of what it watches (on the board's thread; a source fed by its own thread does nothing). */
    default void sample(long nowMillis) {
    }

    /** Adds this source's fields to the page's JSON. */
    void write(ObjectNode page);

    /** Releases what it holds (clients, threads). */
    @Override
    default void close() {
    }
}
