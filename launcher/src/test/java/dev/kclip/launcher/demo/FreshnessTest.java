package dev.kclip.launcher.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kclip.trainer.checkpoint.CheckpointManifest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreshnessTest {

    private static final long T0 = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();

    @Test
    void eachPairIsFreshAtTheFirstCheckpointWhoseOffsetsPassIt() {
        List<PipelineObserver.Labelled> labelled = List.of(
                new PipelineObserver.Labelled("a", 0, 0, T0, T0 + 1_000),
                new PipelineObserver.Labelled("b", 0, 1, T0 + 1_000, T0 + 2_000),
                new PipelineObserver.Labelled("c", 1, 0, T0 + 2_000, T0 + 4_000),
                new PipelineObserver.Labelled("d", 1, 1, T0 + 3_000, T0 + 5_000));
        // checkpoint 1 at +10 s includes partition 0 offset 0 and partition 1 offset 0; checkpoint 2 at +20 s the rest
        List<CheckpointManifest> checkpoints = List.of(
                manifest(1, "2026-11-27T10:00:10Z", Map.of("kclip.train.examples-0", 1L, "kclip.train.examples-1", 1L)),
                manifest(2, "2026-11-27T10:00:20Z", Map.of("kclip.train.examples-0", 2L, "kclip.train.examples-1", 2L)));

        Freshness f = Freshness.of(labelled, checkpoints);

        assertEquals(4, f.pairs());
        assertEquals(4, f.inCheckpoint());
        assertEquals(4 / 5.0, f.throughput(), 1e-9, "4 pairs from the first push (+0 s) to the last label (+5 s)");
        // push→labelled: 1, 1, 2, 2 s; push→checkpoint: 10 (a), 19 (b), 8 (c), 17 (d) s
        assertEquals(2.0, f.labelledMedianSeconds(), 1e-9);
        assertEquals(17.0, f.freshMedianSeconds(), 1e-9);
        assertEquals(19.0, f.freshP95Seconds(), 1e-9);
    }

    @Test
    void pairsNoCheckpointIncludesYetAreLeftOut() {
        Freshness f = Freshness.of(List.of(new PipelineObserver.Labelled("a", 0, 5, T0, T0 + 1_000)),
                List.of(manifest(1, "2026-11-27T10:00:10Z", Map.of("kclip.train.examples-0", 5L))));
        assertEquals(0, f.inCheckpoint());
        assertEquals(Double.NaN, f.freshMedianSeconds());
    }

    private static CheckpointManifest manifest(long version, String created, Map<String, Long> offsets) {
        return CheckpointManifest.builder().runId("run").version(version).step(version * 10).offsets(offsets)
                .concepts(-1, null).createdTime(created).build();
    }
}
