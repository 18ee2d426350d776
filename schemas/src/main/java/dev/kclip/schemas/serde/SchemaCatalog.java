package dev.kclip.schemas.serde;

import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.LabelledPair;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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

    private static final SchemaCatalog BUNDLED = new SchemaCatalog(List.of(
            ImageCaptionPair.getClassSchema(), EmbeddedPair.getClassSchema(), LabelledPair.getClassSchema(),
            CentroidSnapshot.getClassSchema(), DriftReport.getClassSchema(), CheckpointEvent.getClassSchema(),
            DeadLetter.getClassSchema()));

    private final Map<Long, Schema> byFingerprint = new ConcurrentHashMap<>();

    private SchemaCatalog(List<Schema> schemas) {
        schemas.forEach(this::register);
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
