package dev.kclip.common.live;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The last {@code capacity} (time, value) points of one figure, oldest first; not thread-safe. */
final class TimeSeries {

    private final long[] times;
    private final double[] values;
    private int start;
    private int size;

    TimeSeries(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a series holds at least one point, not " + capacity);
        }
        times = new long[capacity];
        values = new double[capacity];
    }

    /** Appends a point, dropping the oldest once full. */
    void add(long timeMillis, double value) {
        int at = (start + size) % times.length;
        times[at] = timeMillis;
        values[at] = value;
        if (size < times.length) {
            size++;
        } else {
            start = (start + 1) % times.length;
        }
    }

    int size() {
        return size;
    }

    /** The newest value, NaN when empty. */
    double last() {
        return size == 0 ? Double.NaN : values[(start + size - 1) % times.length];
    }

    /** As {@code {"t": [millis...], "v": [values...]}} into {@code target}; non-finite values as null. */
    void writeTo(ObjectNode target) {
        ArrayNode t = target.putArray("t");
        ArrayNode v = target.putArray("v");
        for (int i = 0; i < size; i++) {
            int at = (start + i) % times.length;
            t.add(times[at]);
            if (Double.isFinite(values[at])) {
                v.add(values[at]);
            } else {
                v.addNull();
            }
        }
    }
}
