package dev.kclip.schemas.serde;

import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftLevel;
import dev.kclip.schemas.ConceptEvent;
import dev.kclip.schemas.ConceptEventKind;
import dev.kclip.schemas.ConceptShare;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.DriftThresholdValues;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.PairIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One filled-in record of every schema, every field set to a non-default value. */
final class SampleRecords {

    static final Instant T0 = Instant.parse("2026-11-27T10:15:30.123Z");

    private SampleRecords() {
    }

    static ImageCaptionPair pair() {
        byte[] image = "not really a png".getBytes(StandardCharsets.UTF_8);
        return ImageCaptionPair.newBuilder()
                .setId(PairIds.contentHash(image, "red apple"))
                .setCaption("red apple")
                .setImage(ByteBuffer.wrap(image))
                .setMediaType("image/png")
                .setWidth(64).setHeight(48)
                .setSource("emoji-64")
                .setLabel("food-fruit")
                .setAttributes(Map.of("category", "Food & Drink", "unified", "1F34E"))
                .setEventTime(T0).setIngestTime(T0.plusSeconds(1))
                .build();
    }

    static EmbeddedPair embedded() {
        return EmbeddedPair.newBuilder()
                .setPair(pair()).setTeacherModelId("llama2c:model.bin")
                .setEmbedding(Float32Vectors.encode(new float[] {0.5f, -1.25f, 3f}))
                .setDim(3).setTokenCount(4).setTruncated(true).setEmbeddedTime(T0.plusSeconds(2))
                .build();
    }

    static LabelledPair labelled() {
        return LabelledPair.newBuilder()
                .setEmbedded(embedded())
                .setSoftLabel(Float32Vectors.encode(new float[] {0.1f, 0.7f, 0.2f}))
                .setConceptCount(3).setTopConcept(1).setCentroidVersion(42).setLabelledTime(T0.plusSeconds(3))
                .setConceptIds(List.of(0L, 7L, 2L))
                .build();
    }

    static CentroidSnapshot centroids() {
        return CentroidSnapshot.newBuilder()
                .setTeacherModelId("onnx-minilm").setVersion(7).setConceptCount(2).setDim(2)
                .setCentroids(Float32Vectors.encode(new float[] {1, 0, 0, 1}))
                .setWeights(Float32Vectors.encode(new float[] {10.5f, 3f}))
                .setDistance("COSINE").setKernel("GAUSSIAN").setTemperature(0.25).setRecordsSeen(1234)
                .setReseeded(List.of(1)).setNoveltyThreshold(0.9).setConceptIds(List.of(0L, 5L)).setCreatedTime(T0)
                .build();
    }

    static DriftReport drift() {
        return DriftReport.newBuilder()
                .setTeacherModelId("onnx-minilm").setWindow(3).setWindowStart(T0).setWindowEnd(T0.plusSeconds(60))
                .setRecords(1000).setConceptCounts(List.of(600L, 400L)).setJsDivergence(0.31)
                .setCentroidDisplacement(0.8).setNoveltyRate(0.12).setReseeded(List.of(0))
                .setLevel(DriftLevel.ALERT).setCentroidVersion(9).setCreatedTime(T0)
                .setConceptEvents(List.of(ConceptEvent.newBuilder().setKind(ConceptEventKind.BORN).setConceptId(31)
                        .setRow(1).setCentroidVersion(9).setEventTime(T0).setWeight(32).setShare(0.18)
                        .setCaptions(List.of("flag: France", "flag: Chile")).build()))
                .setMmd(0.021).setMeanEntropy(1.2).setMeanTopProbability(0.61)
                .setThresholds(new DriftThresholdValues(0.05, 0.08, 0.02, 0.03, 0.003, 0.004))
                .setReasons(List.of("js 0.31 > alert 0.08"))
                .setRising(List.of(new ConceptShare(1, 31L, 0.4, 0.1, List.of("flag: France", "flag: Japan"))))
                .setFalling(List.of(new ConceptShare(0, 0L, 0.6, 0.9, List.of())))
                .build();
    }

    static CheckpointEvent checkpoint() {
        return CheckpointEvent.newBuilder()
                .setRunId("kclip-trainer").setVersion(12).setStep(3000).setLocation("file:///tmp/ckpt/v000012")
                .setExamplesConsumed(5000).setExamplesTrained(9000)
                .setOffsets(Map.of("kclip.train.examples-0", 1700L, "kclip.train.examples-1", 1650L))
                .setTeacherModelId("onnx-minilm").setCentroidVersion(9)
                .setMetrics(Map.of("loss.total", 1.25, "eval.zero_shot_top1", 0.41))
                .setManifestSha256("ab".repeat(32)).setCreatedTime(T0)
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setOriginalKey(ByteBuffer.wrap(new byte[] {1, 2}))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {(byte) 0xFF, 0, 7}))
                .setSourceTopic("kclip.pairs.raw").setSourcePartition(2).setSourceOffset(99)
                .setStage("ingest").setReasonCode("EMPTY_CAPTION").setMessage("caption is empty after trimming")
                .setRecordId("abc").setTime(T0)
                .build();
    }
}
