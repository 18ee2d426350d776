package dev.kclip.common.service;

import dev.kclip.common.metrics.Health;

/**
 * A running pipeline stage (ingest, teacher, concept updater, trainer). Each stage has a static {@code start(...)}
 * that begins work on background threads and returns one of these, so a stage runs the same way alone
 * ({@code kclip teacher serve}) and together with the others in one process ({@code kclip up}).
 */
public interface StageService extends AutoCloseable {

    /** Short name: ingest, teacher, concepts, trainer. */
    String name();

    /**
     * Whether the stage is working, for {@code /health} and {@code kclip up}'s supervisor: DEGRADED after a failure
     * it recovered from, DOWN when it has failed or keeps failing (see {@link FailureWindow}).
     */
    Health health();

    /**
     * Stops cleanly and blocks until done: in-flight work finished or aborted, transactions closed, final
     * checkpoint written. Idempotent.
     */
    @Override
    void close();
}
