package dev.kclip.ingest.push.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kclip.datasets.read.SkipReason;
import dev.kclip.datasets.read.Skipped;
import dev.kclip.ingest.push.PushSummary;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTextTest {

    private static final long TWO_SECONDS = 2_000_000_000L;

    @Test
    void barShowsCountRateThroughputAndEta() {
        assertEquals("[###############---------------]  1,000/2,000 50%  500 pairs/s  4.0 MB/s  ETA 0:02",
                ProgressText.bar(1_000, 2_000, 8_000_000, TWO_SECONDS, 30));
        assertEquals("[----------]  0/10 0%  0 pairs/s  0.0 MB/s  ETA --:--", ProgressText.bar(0, 10, 0, 1, 10));
    }

    @Test
    void lineIsThePlainForm() {
        assertEquals("pushed 1,000/2,000 (50%), 500 pairs/s, 4.0 MB/s, ETA 0:02",
                ProgressText.line(1_000, 2_000, 8_000_000, TWO_SECONDS));
    }

    @Test
    void clockFormatsMinutesAndHours() {
        assertEquals("0:59", ProgressText.clock(59.4));
        assertEquals("2:05", ProgressText.clock(125));
        assertEquals("1:00:01", ProgressText.clock(3_601));
    }

    @Test
    void summaryListsCountsAndSkips() {
        PushSummary summary = new PushSummary("emoji-64", "kclip.pairs.raw", 1_909,
                Map.of(SkipReason.MALFORMED_LINE, 1L, SkipReason.IMAGE_NOT_FOUND, 1L),
                List.of(new Skipped("pairs.jsonl line 3", SkipReason.MALFORMED_LINE, "malformed JSON (x)"),
                        new Skipped("pairs.jsonl line 9", SkipReason.IMAGE_NOT_FOUND, "image not found: a.png")),
                7_500_000, 8_000_000, Duration.ofSeconds(2));
        assertEquals(String.join("\n",
                "pushed 1,909 pairs from emoji-64 to kclip.pairs.raw in 2.0 s (955 pairs/s, 4.0 MB/s; 8.0 MB of records, 7.5 MB of images)",
                "skipped 2: 1 malformed line, 1 image not found",
                "  pairs.jsonl line 3: malformed JSON (x)",
                "  pairs.jsonl line 9: image not found: a.png"), summary.render());
    }
}
