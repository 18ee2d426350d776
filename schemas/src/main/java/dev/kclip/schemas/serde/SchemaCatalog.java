package dev.kclip.schemas.serde;

import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.LabelledPair;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * The writer schemas a reader can resolve, by their single-object-encoding fingerprint (CRC-64-AVRO of the
 * parsing canonical form). No registry service is needed: the schemas ship with the code, and a schema written
 * by a newer producer can be {@link #register registered} when it becomes known (an old reader then reads the
 * new records, ignoring the fields it does not know).
 */
public final class SchemaCatalog {

    /**
     * Earlier versions of the schemas, kept so records already on the topics (and in Flink state) stay readable:
     * each file under {@code dev/kclip/schemas/history/} is a whole writer schema, nested records inlined.
     */
    private static final List<String> HISTORY = List.of("LabelledPair-v1.avsc", "CentroidSnapshot-v1.avsc",
            "DriftReport-v1.avsc");

    private static final SchemaCatalog BUNDLED = new SchemaCatalog(Stream.concat(Stream.of(
            ImageCaptionPair.getClassSchema(), EmbeddedPair.getClassSchema(), LabelledPair.getClassSchema(),
            CentroidSnapshot.getClassSchema(), DriftReport.getClassSchema(), CheckpointEvent.getClassSchema(),
            DeadLetter.getClassSchema()), HISTORY.stream()
                    .map(file -> writerSchema(SchemaCatalog.class, "/dev/kclip/schemas/history/" + file))).toList());

    private final Map<Long, Schema> byFingerprint = new ConcurrentHashMap<>();

    private SchemaCatalog(List<Schema> schemas) {
        schemas.forEach(this::register);
    }

    /**
     * An earlier writer schema bundled as a resource beside {@code owner} (a whole schema, nested records inlined),
     * for a catalog that must still read what it wrote.
     *
     * @param resource the resource's absolute path, e.g. {@code /dev/kclip/schemas/history/LabelledPair-v1.avsc}
     * @throws IllegalStateException when the jar lacks it
     */
    public static Schema writerSchema(Class<?> owner, String resource) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("bundled writer schema " + resource + " is missing from the jar");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled writer schema " + resource, e);
        }
    }

    /** The process-wide catalog holding every schema this code was built with. */
    public static SchemaCatalog bundled() {
        return BUNDLED;
    }

    /** A catalog with exactly these schemas (tests, tools). */
    public static SchemaCatalog of(List<Schema> schemas) {
        return new SchemaCatalog(schemas);
    }

    /** The fingerprint single-object encoding writes in front of a record of {@code schema}. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** Makes {@code schema} resolvable as a writer schema; idempotent. */
    public void register(Schema schema) {
        byFingerprint.putIfAbsent(fingerprint(schema), schema);
    }

    /** The writer schema with this fingerprint, if known. */
    public Optional<Schema> find(long fingerprint) {
        return Optional.ofNullable(byFingerprint.get(fingerprint));
    }

    /**
     * A store that only answers with schemas of the given full name, so that bytes of another record type are
     * reported as an unknown schema instead of failing later in schema resolution.
     */
    SchemaStore storeFor(String fullName) {
        return fp -> {
            Schema schema = byFingerprint.get(fp);
            return schema != null && schema.getFullName().equals(fullName) ? schema : null;
        };
    }
}
