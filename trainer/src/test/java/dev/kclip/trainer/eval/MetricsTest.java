package dev.kclip.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.Float32Vectors;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The evaluation metrics on embeddings small enough to check by hand. */
class MetricsTest {

    private static final float[][] AXES = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

    @Test
    void zeroShotCountsImagesClosestToTheirClassPrompt() {
        float[][] images = {{1, 0.1f, 0}, {0.1f, 1, 0}, {0, 0.2f, 1}, {0, 1, 0.1f}};
        int[] truth = {0, 1, 2, 2};
        assertEquals(0.75, ZeroShot.topK(images, truth, AXES, 1), 1e-9);
        // the last image ranks class 1, then 2: within the top 2
        assertEquals(1.0, ZeroShot.topK(images, truth, AXES, 2), 1e-9);
    }

    @Test
    void balancedAccuracyWeighsEachClassEquallyAndTheMajorityBaselineIsTheLargestClass() {
        // six images of class 0, one each of classes 1 and 2; every image is called class 0
        float[][] images = new float[8][];
        int[] truth = {0, 0, 0, 0, 0, 0, 1, 2};
        for (int i = 0; i < images.length; i++) {
            images[i] = new float[] {1, 0.1f, 0.1f};
        }
        assertEquals(0.75, ZeroShot.topK(images, truth, AXES, 1), 1e-9);
        assertEquals(1.0 / 3, ZeroShot.balancedTop1(images, truth, AXES), 1e-9, "always the largest class: chance");
        assertEquals(0.75, ZeroShot.majorityShare(truth), 1e-9);
        // class 1 recognised too: (1 + 1 + 0) / 3
        images[6] = new float[] {0, 1, 0};
        assertEquals(2.0 / 3, ZeroShot.balancedTop1(images, truth, AXES), 1e-9);
    }

    @Test
    void recallAtKFindsTheMatchingCaptionAmongTheTopK() {
        float[][] images = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        float[][] texts = {{1, 0, 0}, {0, 0.5f, 1}, {0, 1, 0.2f}};
        // image 0 → text 0; image 1 → text 2 first (1 second); image 2 → text 1 first (2 second)
        assertEquals(1.0 / 3, Retrieval.recallAtK(images, texts, 1), 1e-9);
        assertEquals(1.0, Retrieval.recallAtK(images, texts, 2), 1e-9);
    }

    @Test
    void teacherCosineAveragesPerPair() {
        float[][] predicted = {{1, 0}, {1, 1}};
        float[][] teacher = {{2, 0}, {0, 1}};
        assertEquals((1 + 1 / Math.sqrt(2)) / 2, TeacherAgreement.meanCosine(predicted, teacher), 1e-6);
    }

    @Test
    void knnOverlapIsOneForTheSameSpaceAndLowerForAShuffledOne() {
        float[][] teacher = new float[12][];
        float[][] rotated = new float[12][];
        for (int i = 0; i < 12; i++) {
            double angle = i * 0.3;
            teacher[i] = new float[] {(float) Math.cos(angle), (float) Math.sin(angle)};
            // a rotation keeps every cosine, so every neighbourhood
            rotated[i] = new float[] {(float) Math.cos(angle + 1), (float) Math.sin(angle + 1)};
        }
        assertEquals(1.0, TeacherAgreement.knnOverlap(rotated, teacher, 2), 1e-9);
        float[][] shuffled = new float[12][];
        for (int i = 0; i < 12; i++) {
            shuffled[i] = teacher[(i * 5) % 12];
        }
        double overlap = TeacherAgreement.knnOverlap(shuffled, teacher, 2);
        assertEquals(true, overlap < 0.5, "shuffled neighbourhoods mostly differ: " + overlap);
        assertThrows(IllegalArgumentException.class, () -> TeacherAgreement.knnOverlap(teacher, teacher, 12));
    }

    @Test
    void conceptAccuracyAndTheNearestCentroid() {
        assertEquals(0.5, ConceptAccuracy.of(new int[] {1, 2, 3, 4}, new int[] {1, 0, 3, 0}), 1e-9);
        CentroidSnapshot snapshot = CentroidSnapshot.newBuilder().setTeacherModelId("t").setVersion(1).setConceptCount(2)
                .setDim(2).setCentroids(Float32Vectors.encode(new float[] {10, 0, 0, 1})).setWeights(Float32Vectors.encode(new float[2]))
                .setDistance("COSINE").setKernel("GAUSSIAN").setTemperature(1).setRecordsSeen(0).setReseeded(List.of())
                .setCreatedTime(Instant.now()).build();
        // under cosine, length does not matter: (1, 0.9) is nearer the direction of (10, 0) than of (0, 1)
        assertEquals(0, new NearestConcept(snapshot).of(new float[] {1, 0.9f}));
        assertEquals(1, new NearestConcept(snapshot).of(new float[] {1, 1.2f}));
    }
}
