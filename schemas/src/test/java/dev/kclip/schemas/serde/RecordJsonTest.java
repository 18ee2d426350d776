package dev.kclip.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.PairIds;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RecordJsonTest {

    @Test
    void rendersFieldNamesAndSummarisesBytes() {
        EmbeddedPair record = SampleRecords.embedded();
        byte[] bytes = new AvroSerde<>(EmbeddedPair.class).serialize("t", record);

        ObjectNode json = new RecordJson(SchemaCatalog.bundled()).render(bytes);

        assertEquals("llama2c:model.bin", json.get("teacherModelId").asText());
        assertEquals(3, json.get("embedding").get("dim").asInt());
        assertEquals(-1.25, json.get("embedding").get("first").get(1).asDouble());
        byte[] image = "not really a png".getBytes(StandardCharsets.UTF_8);
        ObjectNode imageSummary = (ObjectNode) json.get("pair").get("image");
        assertEquals(image.length, imageSummary.get("bytes").asInt());
        assertEquals(HexFormat.of().formatHex(PairIds.sha256().digest(image)), imageSummary.get("sha256").asText());
        assertEquals("2026-11-27T10:15:31.123Z", json.get("pair").get("ingestTime").asText());
        assertEquals("food-fruit", json.get("pair").get("label").asText());
        assertEquals("1F34E", json.get("pair").get("attributes").get("unified").asText());
    }
}
