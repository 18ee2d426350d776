package dev.kclip.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.schemas.ImageCaptionPair;
import org.junit.jupiter.api.Test;

/**
 * Documentation is not part of a schema's identity: Avro's parsing canonical form drops {@code doc}, so the field
 * limits written into ImageCaptionPair's docs left the fingerprint in every record's header as it was.
 */
class SchemaFingerprintTest {

    @Test
    void imageCaptionPairKeepsItsFingerprintWithTheLimitsInItsDocs() {
        assertTrue(ImageCaptionPair.getClassSchema().getField("id").doc().contains("At most 512 characters"));
        assertEquals(-4359532841638145565L, SchemaCatalog.fingerprint(ImageCaptionPair.getClassSchema()),
                "the fingerprint of the schema before the docs named the limits");
    }
}
