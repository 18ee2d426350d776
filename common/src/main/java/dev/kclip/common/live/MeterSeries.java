package dev.kclip.common.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A service's own {@code kclip.*} meters over time: every counter (and timer's count) as a rate per second, summed
 * over its tags (the dead letters of every reason make one line), and every gauge as its value, one line per tag set
 * (the trainer's loss terms). Bounded: {@code points} per figure, and no more figures than {@link #MAX_FIGURES}.
 */
public final class MeterSeries implements LiveSource {

    /** The project's own meters; the JVM's are on /metrics. */
    static final String PREFIX = "kclip.";
    /** At most this many counters and this many gauges are followed (a service has a few dozen at most). */
    static final int MAX_FIGURES = 64;

    private final MeterRegistry registry;
    private final int points;
    // guarded by this
    private final Map<String, Double> lastCounts = new TreeMap<>();
    private long lastMillis;
    private final Map<String, TimeSeries> rates = new TreeMap<>();
    private final Map<String, TimeSeries> gauges = new TreeMap<>();

    /** Follows the meters of {@code registry}, keeping {@code points} points per figure. */
    public MeterSeries(MeterRegistry registry, int points) {
        this.registry = registry;
        this.points = points;
    }

    @Override
    public synchronized void sample(long nowMillis) {
        Map<String, Double> counts = new TreeMap<>();
        Map<String, Double> values = new TreeMap<>();
        for (Meter meter : registry.getMeters()) {
            String name = meter.getId().getName();
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            if (meter instanceof Counter c) {
                counts.merge(name, c.count(), Double::sum);
            } else if (meter instanceof FunctionCounter c) {
                counts.merge(name, c.count(), Double::sum);
            } else if (meter instanceof Timer t) {
                counts.merge(name, (double) t.count(), Double::sum);
            } else if (meter instanceof Gauge g) {
                values.put(name + tags(meter), g.value());
            }
        }
        double seconds = (nowMillis - lastMillis) / 1000.0;
        if (!lastCounts.isEmpty() && seconds > 0) {
            counts.forEach((name, count) -> {
                Double before = lastCounts.get(name);
                if (before != null) {
                    series(rates, name).add(nowMillis, Math.max(0, count - before) / seconds);
                }
            });
        }
        values.forEach((name, value) -> series(gauges, name).add(nowMillis, value));
        lastCounts.clear();
        lastCounts.putAll(counts);
        lastMillis = nowMillis;
    }

    /** {@code {k=v,...}} of the meter's tags other than the service's, or nothing. */
    private static String tags(Meter meter) {
        String tags = meter.getId().getTags().stream().filter(t -> !t.getKey().equals("service"))
                .map(t -> t.getKey() + "=" + t.getValue()).collect(Collectors.joining(","));
        return tags.isEmpty() ? "" : "{" + tags + "}";
    }

    private TimeSeries series(Map<String, TimeSeries> figures, String name) {
        TimeSeries s = figures.get(name);
        if (s == null && figures.size() < MAX_FIGURES) {
            s = new TimeSeries(points);
            figures.put(name, s);
        }
        return s == null ? new TimeSeries(1) : s;   // beyond the bound: sampled into nothing
    }

    /** {@code "rates": {name: {t, v}}, "gauges": {name{tags}: {t, v}}}. */
    @Override
    public synchronized void write(ObjectNode page) {
        ObjectNode r = page.putObject("rates");
        rates.forEach((name, s) -> s.writeTo(r.putObject(name)));
        ObjectNode g = page.putObject("gauges");
        gauges.forEach((name, s) -> s.writeTo(g.putObject(name)));
    }
}
