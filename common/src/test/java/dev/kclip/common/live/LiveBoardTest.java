package dev.kclip.common.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LiveBoardTest {

    @Test
    void countersBecomeRatesSummedOverTagsAndGaugesKeepTheirTags() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Counter bad = registry.counter("kclip.stage.rejected", "reason", "BAD_RECORD");
        Counter big = registry.counter("kclip.stage.rejected", "reason", "TOO_LARGE");
        registry.counter("jvm.something").increment(1000);
        AtomicReference<Double> loss = new AtomicReference<>(3.0);
        registry.gauge("kclip.trainer.loss", Tags.of("term", "total"), loss, AtomicReference::get);
        try (LiveBoard board = LiveBoard.manual("test")) {
            board.add(new MeterSeries(registry, 10));
            board.sample(10_000);
            bad.increment(6);
            big.increment(4);
            loss.set(2.5);
            board.sample(12_000);

            JsonNode page = new ObjectMapper().readTree(board.json());

            assertEquals("test", page.get("service").asText());
            assertEquals(2, page.get("samples").asLong());
            JsonNode rejected = page.get("rates").get("kclip.stage.rejected");
            assertEquals(12_000, rejected.get("t").get(0).asLong(), "a rate from the second sample on");
            assertEquals(5.0, rejected.get("v").get(0).asDouble(), 1e-9, "(6 + 4) records in 2 s");
            assertFalse(page.get("rates").has("jvm.something"), "the JVM's meters stay on /metrics");
            JsonNode total = page.get("gauges").get("kclip.trainer.loss{term=total}");
            assertEquals(3.0, total.get("v").get(0).asDouble());
            assertEquals(2.5, total.get("v").get(1).asDouble());
        }
    }

    @Test
    void aSeriesKeepsOnlyItsNewestPoints() {
        TimeSeries series = new TimeSeries(3);
        for (int i = 1; i <= 5; i++) {
            series.add(i * 1000L, i == 4 ? Double.NaN : i);
        }
        ObjectMapper json = new ObjectMapper();
        var node = json.createObjectNode();
        series.writeTo(node);
        assertEquals(3, series.size());
        assertEquals("[3000,4000,5000]", node.get("t").toString());
        assertEquals("[3.0,null,5.0]", node.get("v").toString(), "a NaN is a gap");
        assertEquals(5.0, series.last());
    }

    @Test
    void theChartScriptIsInTheJarForTheReportToo() {
        String script = LiveResources.chartScript();
        assertTrue(script.contains("var KclipCharts"), script.substring(0, 200));
        assertTrue(LiveResources.page().contains("<script src=\"charts.js\"></script>"));
        assertTrue(LiveResources.pageScript().contains("live.json"));
    }
}
