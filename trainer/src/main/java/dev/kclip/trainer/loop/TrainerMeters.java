package dev.kclip.trainer.loop;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;

/** The trainer's meters ({@code kclip_trainer_*}), registered once per trainer. */
final class TrainerMeters {

    /** {@code reason} of a rejected checkpoint that did not verify. */
    static final String DAMAGED = "damaged";
    /** {@code reason} of a rejected checkpoint that verified but did not load. */
    static final String UNLOADABLE = "unloadable";

    private final Counter consumed;
    private final Counter trained;
    private final Counter replayed;
    private final Counter heldOut;
    private final Counter deadLetters;
    private final Timer step;
    private final Map<String, DoubleAdder> lastLoss = new HashMap<>();
    private final DoubleAdder checkpointVersion = new DoubleAdder();
    private final Map<String, Counter> checkpointsRejected = new HashMap<>();

    TrainerMeters(MeterRegistry registry) {
        consumed = Counter.builder("kclip.trainer.examples.consumed").register(registry);
        trained = Counter.builder("kclip.trainer.examples.trained").register(registry);
        replayed = Counter.builder("kclip.trainer.examples.replayed").register(registry);
        heldOut = Counter.builder("kclip.trainer.examples.held_out").register(registry);
        deadLetters = Counter.builder("kclip.trainer.dead_letters").register(registry);
        step = Timer.builder("kclip.trainer.step").register(registry);
        for (String term : List.of("embedding", "concept", "contrastive", "total")) {
            DoubleAdder value = new DoubleAdder();
            lastLoss.put(term, value);
            registry.gauge("kclip.trainer.loss", Tags.of("term", term), value, DoubleAdder::sum);
        }
        registry.gauge("kclip.trainer.checkpoint.version", checkpointVersion, DoubleAdder::sum);
        for (String reason : List.of(DAMAGED, UNLOADABLE)) {
            checkpointsRejected.put(reason, Counter.builder("kclip.trainer.checkpoints.rejected").tag("reason", reason)
                    .description("checkpoints skipped at start: not verified, or verified but not loadable")
                    .register(registry));
        }
    }

    void consumed() {
        consumed.increment();
    }

    void heldOut() {
        heldOut.increment();
    }

    void deadLettered() {
        deadLetters.increment();
    }

    void stepped(StepReport report, long nanos) {
        step.record(nanos, TimeUnit.NANOSECONDS);
        trained.increment(report.size());
        replayed.increment(report.replayed());
        report.losses().forEach((term, value) -> {
            DoubleAdder gauge = lastLoss.get(term);
            gauge.reset();
            gauge.add(value);
        });
    }

    /** A checkpoint skipped at start, {@link #DAMAGED} or {@link #UNLOADABLE}. */
    void checkpointRejected(String reason) {
        checkpointsRejected.get(reason).increment();
    }

    void checkpointed(long version) {
        checkpointVersion.reset();
        checkpointVersion.add(version);
    }
}
