package dev.kclip.ingest;

import dev.kclip.ingest.http.HttpIntakeConfig;
import dev.kclip.ingest.image.ImageSettings;
import dev.kclip.ingest.topology.IngestTopics;
import dev.kclip.ingest.validate.CaptionRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Configuration of the ingest stage.
 *
 * @param applicationId Kafka Streams application id: consumer group, transactional id and internal topic prefix
 *        (default {@code kclip-ingest}); instances with the same id share the work
 * @param topics input, output and dead-letter topics (default: the catalog's)
 * @param stateDir where the de-duplication store lives on disk (null: Kafka Streams' default under the temp folder);
 *        it is rebuilt from its changelog topic when lost
 * @param threads stream threads (each takes some of the input partitions)
 * @param images image limits and normalisation: longest side (256), pixel limit (50 M), output format (JPEG q 0.90)
 * @param maxCaptionChars longest caption accepted, in Unicode characters (1,000)
 * @param dedupWindow how long an id is remembered for de-duplication (7 days)
 * @param http the HTTP intake, or null for none
 * @param streamsOverrides further Kafka Streams properties, applied last (e.g. {@code session.timeout.ms})
 */
public record IngestConfig(String applicationId, IngestTopics topics, Path stateDir, int threads, ImageSettings images,
        int maxCaptionChars, Duration dedupWindow, HttpIntakeConfig http, Map<String, String> streamsOverrides) {

    public static final String DEFAULT_APPLICATION_ID = "kclip-ingest";
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofDays(7);

    public IngestConfig {
        if (applicationId == null || applicationId.isBlank()) {
            throw new IllegalArgumentException("the ingest application id must not be blank");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("ingest needs at least one stream thread, not " + threads);
        }
        if (maxCaptionChars < 1) {
            throw new IllegalArgumentException("maximum caption length must be positive, not " + maxCaptionChars);
        }
        if (dedupWindow == null || dedupWindow.isNegative() || dedupWindow.isZero()) {
            throw new IllegalArgumentException("the de-duplication window must be positive, not " + dedupWindow);
        }
        streamsOverrides = Map.copyOf(streamsOverrides);
    }

    /** The defaults: catalog topics, one thread, 256 px JPEG q 0.90, 1,000 characters, 7 days, no HTTP. */
    public static IngestConfig defaults() {
        return new IngestConfig(DEFAULT_APPLICATION_ID, IngestTopics.CATALOG, null, 1, ImageSettings.DEFAULTS,
                CaptionRules.DEFAULT_MAX_CHARS, DEFAULT_DEDUP_WINDOW, null, Map.of());
    }

    public IngestConfig withApplicationId(String id) {
        return new IngestConfig(id, topics, stateDir, threads, images, maxCaptionChars, dedupWindow, http, streamsOverrides);
    }

    public IngestConfig withTopics(IngestTopics newTopics) {
        return new IngestConfig(applicationId, newTopics, stateDir, threads, images, maxCaptionChars, dedupWindow, http, streamsOverrides);
    }

    public IngestConfig withStateDir(Path dir) {
        return new IngestConfig(applicationId, topics, dir, threads, images, maxCaptionChars, dedupWindow, http, streamsOverrides);
    }

    public IngestConfig withHttp(HttpIntakeConfig httpConfig) {
        return new IngestConfig(applicationId, topics, stateDir, threads, images, maxCaptionChars, dedupWindow, httpConfig, streamsOverrides);
    }

    public IngestConfig withStreamsOverrides(Map<String, String> overrides) {
        return new IngestConfig(applicationId, topics, stateDir, threads, images, maxCaptionChars, dedupWindow, http, overrides);
    }
}
