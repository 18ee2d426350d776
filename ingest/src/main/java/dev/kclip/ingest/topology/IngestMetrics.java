package dev.kclip.ingest.topology;

import dev.kclip.ingest.validate.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the ingest topology counts: pairs accepted, rejected (by reason), dropped as duplicates, bytes in and out,
 * and time spent checking and normalising. Counters follow processing, so a record reprocessed after a crash
 * (exactly-once output notwithstanding) is counted again.
 */
public final class IngestMetrics {

    private final Counter accepted;
    private final Counter duplicates;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Timer normalizing;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);

    public IngestMetrics(MeterRegistry registry) {
        accepted = Counter.builder("kclip.ingest.pairs.accepted")
                .description("pairs written to the validated topic").register(registry);
        duplicates = Counter.builder("kclip.ingest.pairs.duplicates")
                .description("pairs dropped because their id was seen within the de-duplication window").register(registry);
        bytesIn = Counter.builder("kclip.ingest.bytes.in").baseUnit("bytes")
                .description("record bytes read from the raw topic").register(registry);
        bytesOut = Counter.builder("kclip.ingest.bytes.out").baseUnit("bytes")
                .description("record bytes written to the validated topic").register(registry);
        normalizing = Timer.builder("kclip.ingest.normalize")
                .description("time to check and normalise one pair").register(registry);
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, Counter.builder("kclip.ingest.pairs.rejected").tag("reason", reason.name())
                    .description("pairs sent to the dead-letter topic, by reason").register(registry));
        }
    }

    void read(long bytes) {
        bytesIn.increment(bytes);
    }

    void accepted(long bytes) {
        accepted.increment();
        bytesOut.increment(bytes);
    }

    void duplicate() {
        duplicates.increment();
    }

    void rejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    Timer normalizing() {
        return normalizing;
    }

    public double acceptedCount() {
        return accepted.count();
    }

    public double duplicateCount() {
        return duplicates.count();
    }

    public double rejectedCount(RejectReason reason) {
        return rejected.get(reason).count();
    }
}
