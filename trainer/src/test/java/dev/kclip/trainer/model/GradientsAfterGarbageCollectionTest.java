package dev.kclip.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import dev.kclip.trainer.data.StudentTokenizer;
import dev.kclip.trainer.loss.DistillationLoss;
import dev.kclip.trainer.loss.KnowledgeClipLoss;
import dev.kclip.trainer.loss.LossWeights;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The backward pass must not depend on when the JVM collects garbage. DJL's PyTorch engine makes a Java number in
 * {@code x.mul(0.125f)} a tensor over a direct buffer, without copying, and closes it when the operation returns;
 * autograd keeps that tensor for the backward pass of a product or quotient. Once a collection frees the buffer,
 * the backward reads freed memory: in {@code kclip demo} that gave steps with gradients of 1e18, infinite or NaN,
 * at random (the attention's query scale, quick-GELU's 1.702, the loss weights, the contrastive mean). Here the
 * collection is forced between forward and backward, on the real student and loss, and every gradient must equal
 * the one of the same step without it.
 */
class GradientsAfterGarbageCollectionTest {

    private static final int BATCH = 4;

    @Test
    void aCollectionBetweenForwardAndBackwardChangesNoGradient() throws Exception {
        try (StudentModel model = StudentModel.create(KnowledgeClipTest.small("END"), Device.cpu(), Precision.FP32, 5);
             StudentTokenizer tokenizer = StudentTokenizer.load(ModelConfig.DEFAULT_TOKENIZER, 12)) {
            StudentTokenizer.Tokens tokens = tokenizer.encode(
                    List.of("red apple", "a dog on a skateboard", "grinning face", "flag of france"));
            Map<String, float[]> undisturbed = gradients(model, tokens, false);
            Map<String, float[]> collected = gradients(model, tokens, true);
            assertEquals(undisturbed.keySet(), collected.keySet());
            List<String> wrong = new ArrayList<>();
            for (Map.Entry<String, float[]> e : undisturbed.entrySet()) {
                float[] expected = e.getValue();
                float[] actual = collected.get(e.getKey());
                for (int i = 0; i < expected.length; i++) {
                    if (!(Math.abs(actual[i] - expected[i]) <= 1e-5f + 1e-4f * Math.abs(expected[i]))) {
                        wrong.add(e.getKey() + "[" + i + "] " + expected[i] + " became " + actual[i]);
                        break;
                    }
                }
            }
            assertTrue(wrong.isEmpty(), wrong.size() + " of " + undisturbed.size() + " gradients changed after a collection, e.g. "
                    + wrong.subList(0, Math.min(4, wrong.size())));
        }
    }

    /** One step's gradients, optionally with the unreachable direct buffers freed before the backward pass. */
    private static Map<String, float[]> gradients(StudentModel model, StudentTokenizer.Tokens tokens,
            boolean collectBeforeBackward) throws InterruptedException {
        ModelConfig config = model.config();
        Random random = new Random(3);
        float[] pixels = new float[BATCH * 3 * config.imageSize() * config.imageSize()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        float[] teacher = new float[BATCH * config.teacherDim()];
        for (int i = 0; i < teacher.length; i++) {
            teacher[i] = (float) random.nextGaussian();
        }
        float[] softLabels = new float[BATCH * config.conceptCount()];
        for (int b = 0; b < BATCH; b++) {
            softLabels[b * config.conceptCount() + b % config.conceptCount()] = 1f;
        }
        KnowledgeClipLoss loss = new KnowledgeClipLoss(LossWeights.PAPER, DistillationLoss.Kind.MSE);
        Map<String, float[]> gradients = new LinkedHashMap<>();
        try (StudentModel.Step step = model.step(true)) {
            try (GradientCollector collector = Engine.getEngine(StudentModel.ENGINE).newGradientCollector()) {
                KnowledgeClip.Outputs out = step.forward(step.images(pixels, BATCH), step.tokens(tokens.ids(), BATCH),
                        step.lengths(tokens.lengths()));
                KnowledgeClipLoss.Terms terms = loss.compute(out.imageFeatures(), out.textFeatures(), out.scale(),
                        out.teacherPrediction(), step.matrix(teacher, BATCH), out.conceptLogits(),
                        step.matrix(softLabels, BATCH), step.manager().create(new float[] {1, 1, 1, 1}));
                if (collectBeforeBackward) {
                    freeUnreachableDirectBuffers();
                }
                collector.backward(terms.total());
            }
            for (Map.Entry<String, NDArray> e : step.gradients().entrySet()) {
                gradients.put(e.getKey(), e.getValue().toFloatArray());
            }
        }
        return gradients;
    }

    /** Collects garbage until the JVM has released direct buffers (one made unreachable here, at least). */
    private static void freeUnreachableDirectBuffers() throws InterruptedException {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        ByteBuffer.allocateDirect(4);
        long before = direct.getCount();
        for (int attempt = 0; attempt < 100 && direct.getCount() >= before; attempt++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(direct.getCount() < before, "no direct buffer was released: the test could not free memory");
        // the cleaner frees the buffers one after another; give it the time to reach them all
        System.gc();
        Thread.sleep(100);
    }
}
