package dev.kclip.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.trainer.checkpoint.HuggingFaceExport;
import dev.kclip.trainer.data.StudentTokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The student's shapes, pooling, gradients, persistence and classifier resizing. */
class KnowledgeClipTest {

    static ModelConfig small(String pooling) {
        ObjectNode json = (ObjectNode) ModelConfig.tiny().toJson();
        json.put("imageSize", 16).put("patchSize", 8).put("visionWidth", 32).put("visionLayers", 1).put("visionHeads", 2)
                .put("textWidth", 32).put("textLayers", 2).put("textHeads", 2).put("embedDim", 24).put("contextLength", 12)
                .put("textPooling", pooling).put("name", "small");
        return ModelConfig.fromJson(json).withData(6, 4);
    }

    private static float[] images(int batch, long seed) {
        Random random = new Random(seed);
        float[] pixels = new float[batch * 3 * 16 * 16];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        return pixels;
    }

    @Test
    void outputsHaveTheConfiguredShapesAndTheInitialTemperature() {
        try (StudentModel model = StudentModel.create(small("END"), Device.cpu(), Precision.FP32, 1);
             StudentTokenizer tokenizer = StudentTokenizer.load(ModelConfig.DEFAULT_TOKENIZER, 12);
             StudentModel.Step step = model.step(false)) {
            StudentTokenizer.Tokens t = tokenizer.encode(List.of("red apple", "a dog on a skateboard"));
            KnowledgeClip.Outputs out = step.forward(step.images(images(2, 1), 2), step.tokens(t.ids(), 2), step.lengths(t.lengths()));
            assertEquals(new Shape(2, 24), out.imageFeatures().getShape());
            assertEquals(new Shape(2, 24), out.textFeatures().getShape());
            assertEquals(new Shape(2, 6), out.teacherPrediction().getShape());
            assertEquals(new Shape(2, 4), out.conceptLogits().getShape());
            assertEquals(1 / 0.07, out.scale().getFloat(), 1e-4);
        }
    }

    @Test
    void endTokenPoolingIgnoresThePaddingAfterACaption() {
        try (StudentModel model = StudentModel.create(small("END"), Device.cpu(), Precision.FP32, 1);
             StudentTokenizer tokenizer = StudentTokenizer.load(ModelConfig.DEFAULT_TOKENIZER, 12);
             StudentModel.Step step = model.step(false)) {
            StudentTokenizer.Tokens alone = tokenizer.encode(List.of("red apple"));
            StudentTokenizer.Tokens padded = tokenizer.encode(List.of("red apple", "a much longer caption about a dog"));
            assertTrue(padded.length() > alone.length(), "the second caption pads the first");
            float[] a = step.encodeTexts(step.tokens(alone.ids(), 1), step.lengths(alone.lengths())).toFloatArray();
            float[] b = step.encodeTexts(step.tokens(padded.ids(), 2), step.lengths(padded.lengths())).get(0).toFloatArray();
            assertArrayEquals(a, b, 1e-5f);
        }
    }

    @Test
    void meanPoolingGivesADifferentTextEmbeddingFromTheSameWeights() {
        try (StudentModel end = StudentModel.create(small("END"), Device.cpu(), Precision.FP32, 3);
             StudentModel mean = StudentModel.create(small("MEAN"), Device.cpu(), Precision.FP32, 3);
             StudentTokenizer tokenizer = StudentTokenizer.load(ModelConfig.DEFAULT_TOKENIZER, 12)) {
            StudentTokenizer.Tokens t = tokenizer.encode(List.of("red apple", "a much longer caption about a dog"));
            float[] e;
            float[] m;
            try (StudentModel.Step s = end.step(false)) {
                e = s.encodeTexts(s.tokens(t.ids(), 2), s.lengths(t.lengths())).get(0).toFloatArray();
            }
            try (StudentModel.Step s = mean.step(false)) {
                m = s.encodeTexts(s.tokens(t.ids(), 2), s.lengths(t.lengths())).get(0).toFloatArray();
            }
            assertFalse(Arrays.equals(e, m));
        }
    }

    @Test
    void everyWeightGetsAGradient() {
        try (StudentModel model = StudentModel.create(small("END"), Device.cpu(), Precision.FP32, 1);
             StudentTokenizer tokenizer = StudentTokenizer.load(ModelConfig.DEFAULT_TOKENIZER, 12);
             StudentModel.Step step = model.step(true)) {
            StudentTokenizer.Tokens t = tokenizer.encode(List.of("red apple", "blue car"));
            Map<String, NDArray> gradients;
            try (GradientCollector c = Engine.getEngine("PyTorch").newGradientCollector()) {
                KnowledgeClip.Outputs o = step.forward(step.images(images(2, 2), 2), step.tokens(t.ids(), 2), step.lengths(t.lengths()));
                NDArray logits = o.imageFeatures().normalize(2, 1).matMul(o.textFeatures().normalize(2, 1).transpose()).mul(o.scale());
                c.backward(logits.logSoftmax(1).sum().add(o.teacherPrediction().square().sum()).add(o.conceptLogits().square().sum()));
            }
            gradients = step.gradients();
            assertEquals(model.parameters().keySet(), gradients.keySet());
            for (Map.Entry<String, NDArray> g : gradients.entrySet()) {
                if (g.getKey().equals("text.token_embedding") || g.getKey().equals("text.position_embedding")) {
                    continue; // only the rows of the tokens and positions used get gradients
                }
                assertNotEquals(0f, g.getValue().abs().sum().getFloat(), g.getKey() + " has a zero gradient");
            }
            assertNotEquals(0f, gradients.get("text.token_embedding").abs().sum().getFloat());
        }
    }

    @Test
    void savedWeightsLoadIntoTheSameOutputs() throws Exception {
        ModelConfig config = small("END");
        try (StudentModel model = StudentModel.create(config, Device.cpu(), Precision.FP32, 1)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            model.save(bytes);
            try (StudentModel copy = StudentModel.load(config, Device.cpu(), Precision.FP32, new ByteArrayInputStream(bytes.toByteArray()));
                 StudentModel.Step a = model.step(false);
                 StudentModel.Step b = copy.step(false)) {
                float[] pixels = images(2, 5);
                assertArrayEquals(a.encodeImages(a.images(pixels, 2)).toFloatArray(), b.encodeImages(b.images(pixels, 2)).toFloatArray(), 0f);
                assertTrue(copy.parameters().values().stream().allMatch(p -> p.getArray().hasGradient()),
                        "loaded weights are trainable");
            }
        }
    }

    @Test
    void resizingTheClassifierKeepsTheRowsOfSurvivingConcepts() {
        try (StudentModel model = StudentModel.create(small("END"), Device.cpu(), Precision.FP32, 1)) {
            float[] before = model.parameters().get("concept_classifier.weight").getArray().toFloatArray();
            int width = 48;
            model.resizeConcepts(RowRemap.forConcepts(4, 6, Set.of(1)));
            Parameter weight = model.parameters().get("concept_classifier.weight");
            assertEquals(new Shape(6, width), weight.getArray().getShape());
            assertEquals(6, model.config().conceptCount());
            float[] after = weight.getArray().toFloatArray();
            for (int row : new int[] {0, 2, 3}) {
                assertArrayEquals(slice(before, row, width), slice(after, row, width), 0f, "row " + row + " kept");
            }
            assertFalse(Arrays.equals(slice(before, 1, width), slice(after, 1, width)), "reseeded row 1 starts fresh");
            assertArrayEquals(new float[6], model.parameters().get("concept_classifier.bias").getArray().toFloatArray(), 0f);
            model.resizeConcepts(RowRemap.forConcepts(6, 3, Set.of()));
            assertArrayEquals(slice(after, 2, width), slice(model.parameters().get("concept_classifier.weight").getArray().toFloatArray(), 2, width), 0f);
        }
    }

    @Test
    void weightsMapOntoHuggingFaceClipNames() {
        try (StudentModel model = StudentModel.create(small("END"), Device.cpu(), Precision.FP32, 1)) {
            Map<String, Parameter> p = model.parameters();
            assertEquals("vision_model.encoder.layers.0.self_attn.q_proj.weight",
                    HuggingFaceExport.huggingFaceName("visual.layers.0.self_attn.q_proj.weight"));
            assertEquals(new Shape(32, 3, 8, 8), p.get("visual.patch_embedding").getArray().getShape());
            assertEquals(new Shape(5, 32), p.get("visual.position_embedding").getArray().getShape());
            assertEquals(new Shape(24, 32), p.get("text.projection.weight").getArray().getShape());
            assertEquals(new Shape(128, 32), p.get("text.layers.1.mlp.fc1.weight").getArray().getShape());
            assertTrue(p.containsKey("visual.pre_layrnorm.weight") && p.containsKey("text.final_layer_norm.bias"));
            assertEquals("knowledge_clip.embedding_projector.linear.weight",
                    HuggingFaceExport.huggingFaceName("embedding_projector.linear.weight"));
        }
    }

    @Test
    void configurationsLoadFromJsonWithOverridesAndAreValidated() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ModelConfig c = ModelConfig.fromJson(json.readTree("{\"base\": \"vit-b-32\", \"visionLayers\": 2}"));
        assertEquals(2, c.visionLayers());
        assertEquals(768, c.visionWidth());
        assertEquals(224, c.imageSize());
        assertEquals(ModelConfig.vitB32(), ModelConfig.fromJson(ModelConfig.vitB32().toJson()));
        assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromJson(json.readTree("{\"base\": \"tiny\", \"patchSize\": 7}")));
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.load("no-such-config"));
        assertThrows(IllegalArgumentException.class, () -> new KnowledgeClip(ModelConfig.tiny()), "K and teacher dimension needed");
    }

    private static float[] slice(float[] matrix, int row, int width) {
        float[] out = new float[width];
        System.arraycopy(matrix, row * width, out, 0, width);
        return out;
    }
}
