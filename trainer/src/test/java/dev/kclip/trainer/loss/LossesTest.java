package dev.kclip.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each loss against values computed by hand. */
class LossesTest {

    private static final double EPS = 1e-5;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray m(float[] values, int rows) {
        return manager.create(values, new Shape(rows, values.length / rows));
    }

    @Test
    void distillationMseIsTheMeanSquaredDistancePerExample() {
        // ‖(1,2) − (1,0)‖² = 4, ‖(0,2) − (0,1)‖² = 1; mean = 2.5
        NDArray predicted = m(new float[] {1, 2, 0, 2}, 2);
        NDArray teacher = m(new float[] {1, 0, 0, 1}, 2);
        assertEquals(2.5, new DistillationLoss(DistillationLoss.Kind.MSE).compute(predicted, teacher).getFloat(), EPS);
    }

    @Test
    void distillationMseTargetsTheTeacherVectorAtUnitLength() {
        // a teacher of norm 100 in the same directions as above: the same loss, not one 10^4 times larger
        NDArray predicted = m(new float[] {1, 2, 0, 2}, 2);
        NDArray teacher = m(new float[] {100, 0, 0, 100}, 2);
        assertEquals(2.5, new DistillationLoss(DistillationLoss.Kind.MSE).compute(predicted, teacher).getFloat(), EPS);
    }

    @Test
    void distillationCosineIsOneMinusTheMeanCosine() {
        // cos((1,2),(1,0)) = 1/√5; cos((0,3),(0,1)) = 1; loss = mean(1 − 1/√5, 0)
        NDArray predicted = m(new float[] {1, 2, 0, 3}, 2);
        NDArray teacher = m(new float[] {1, 0, 0, 1}, 2);
        double expected = (1 - 1 / Math.sqrt(5)) / 2;
        assertEquals(expected, new DistillationLoss(DistillationLoss.Kind.COSINE).compute(predicted, teacher).getFloat(), EPS);
    }

    @Test
    void conceptLossIsTheKlDivergenceToTheSoftLabelOverCountedExamples() {
        // logits (0, ln 3) → softmax (1/4, 3/4); label (1/2, 1/2): KL = ½ ln(½/¼) + ½ ln(½/¾)
        // the second example is masked out and must not count, whatever its values
        NDArray logits = m(new float[] {0, (float) Math.log(3), 5, -5}, 2);
        NDArray labels = m(new float[] {0.5f, 0.5f, 0, 1}, 2);
        NDArray mask = manager.create(new float[] {1, 0});
        double expected = 0.5 * Math.log(0.5 / 0.25) + 0.5 * Math.log(0.5 / 0.75);
        assertEquals(expected, new ConceptLoss().compute(logits, labels, mask).getFloat(), EPS);
    }

    @Test
    void conceptLossIsZeroWhenThePredictionIsTheLabelEvenWithZeroProbabilities() {
        // softmax(ln ¼, ln ¾, −∞-ish) ≈ (¼, ¾, 0) and a label with an exact zero: 0·log 0 counts as 0
        NDArray logits = m(new float[] {(float) Math.log(0.25), (float) Math.log(0.75), -80}, 1);
        NDArray labels = m(new float[] {0.25f, 0.75f, 0}, 1);
        assertEquals(0.0, new ConceptLoss().compute(logits, labels, manager.create(new float[] {1})).getFloat(), EPS);
    }

    @Test
    void conceptLossIsZeroWhenNoExampleCounts() {
        NDArray logits = m(new float[] {1, 2}, 1);
        NDArray labels = m(new float[] {0.5f, 0.5f}, 1);
        assertEquals(0.0, new ConceptLoss().compute(logits, labels, manager.create(new float[] {0})).getFloat(), EPS);
    }

    @Test
    void contrastiveLossAveragesBothDirections() {
        // images (1,0), (0,1); captions (1,0), (2,0) → normalised logits [[1,1],[0,0]] at scale 1
        // image→text rows: [1,1] → −ln ½; [0,0] → −ln ½; mean ln 2
        // text→image columns: [1,0] at 0 → −ln(e/(e+1)); [1,0] at 1 → −ln(1/(e+1))
        NDArray images = m(new float[] {1, 0, 0, 1}, 2);
        NDArray texts = m(new float[] {1, 0, 2, 0}, 2);
        double e = Math.E;
        double imageToText = Math.log(2);
        double textToImage = (-Math.log(e / (e + 1)) - Math.log(1 / (e + 1))) / 2;
        double expected = (imageToText + textToImage) / 2;
        assertEquals(expected, new ContrastiveLoss().compute(images, texts, manager.create(new float[] {1})).getFloat(), EPS);
    }

    @Test
    void contrastiveLossShrinksWithTheScaleWhenPairsMatch() {
        NDArray same = m(new float[] {1, 0, 0, 1}, 2);
        // logits diag(s): −ln(e^s / (e^s + 1)) per row and column
        double atTen = -Math.log(Math.exp(10) / (Math.exp(10) + 1));
        assertEquals(atTen, new ContrastiveLoss().compute(same, same, manager.create(new float[] {10})).getFloat(), 1e-6);
        double atOne = -Math.log(Math.E / (Math.E + 1));
        assertEquals(atOne, new ContrastiveLoss().compute(same, same, manager.create(new float[] {1})).getFloat(), EPS);
    }

    @Test
    void totalIsTheWeightedSumOfTheTerms() {
        NDArray images = m(new float[] {1, 0, 0, 1}, 2);
        NDArray texts = m(new float[] {1, 0, 2, 0}, 2);
        NDArray predicted = m(new float[] {1, 2, 0, 2}, 2);
        NDArray teacher = m(new float[] {1, 0, 0, 1}, 2);
        NDArray logits = m(new float[] {0, (float) Math.log(3), 0, (float) Math.log(3)}, 2);
        NDArray labels = m(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 2);
        NDArray mask = manager.create(new float[] {1, 1});
        KnowledgeClipLoss.Terms t = new KnowledgeClipLoss(new LossWeights(2, 0.5, 3), DistillationLoss.Kind.MSE)
                .compute(images, texts, manager.create(new float[] {1}), predicted, teacher, logits, labels, mask);
        double concept = 0.5 * Math.log(0.5 / 0.25) + 0.5 * Math.log(0.5 / 0.75);
        assertEquals(2.5, t.embedding().getFloat(), EPS);
        assertEquals(concept, t.concept().getFloat(), EPS);
        assertEquals(2 * 2.5 + 0.5 * concept + 3 * t.contrastive().getFloat(), t.total().getFloat(), 1e-4);
    }

    @Test
    void aWeightOfZeroRemovesItsTerm() {
        NDArray same = m(new float[] {1, 0, 0, 1}, 2);
        NDArray far = m(new float[] {100, 0, 0, 100}, 2);
        KnowledgeClipLoss.Terms t = new KnowledgeClipLoss(new LossWeights(0, 0, 1), DistillationLoss.Kind.MSE)
                .compute(same, same, manager.create(new float[] {1}), far, same, same, m(new float[] {1, 0, 0, 1}, 2),
                        manager.create(new float[] {1, 1}));
        assertEquals(t.contrastive().getFloat(), t.total().getFloat(), EPS);
    }
}
