package dev.kclip.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attribute zero-shot: the AUC and precision maths on scores whose answer is known, and the attribute prompts. */
class AttributeZeroShotTest {

    @Test
    void aucIsTheShareOfPositiveNegativePairsRankedRightWithTiesHalf() {
        boolean[] positive = {true, false, true, false, false};
        assertEquals(1.0, AttributeZeroShot.auc(new double[] {0.9, 0.1, 0.8, 0.2, 0.3}, positive), 1e-12);
        assertEquals(0.0, AttributeZeroShot.auc(new double[] {0.1, 0.9, 0.2, 0.8, 0.7}, positive), 1e-12);
        // positives 0.9 and 0.25; negatives 0.1, 0.5, 0.25: 0.9 beats 3, 0.25 beats 0.1, ties 0.25 → (3 + 1 + 0.5) / 6
        assertEquals(4.5 / 6, AttributeZeroShot.auc(new double[] {0.9, 0.1, 0.25, 0.5, 0.25}, positive), 1e-12);
        assertEquals(0.5, AttributeZeroShot.auc(new double[] {1, 1, 1, 1, 1}, positive), 1e-12, "all tied: chance");
        assertTrue(Double.isNaN(AttributeZeroShot.auc(new double[] {1, 2}, new boolean[] {true, true})));
    }

    @Test
    void precisionAtKCountsPositivesAmongTheKHighest() {
        boolean[] positive = {true, false, true, false, false};
        double[] scores = {0.9, 0.95, 0.8, 0.2, 0.3};
        assertEquals(0.5, AttributeZeroShot.precisionAtK(scores, positive, 2), 1e-12, "0.95 (no), 0.9 (yes)");
        assertEquals(2.0 / 3, AttributeZeroShot.precisionAtK(scores, positive, 3), 1e-12);
    }

    @Test
    void scoringAveragesOverAttributesWithBothPresentAndAbsentImages() {
        // images on two axes; attribute 0's prompt is axis x (perfect: AUC 1), attribute 1's is -x (AUC 0),
        // attribute 2 is present in every image (skipped)
        float[][] images = {{1, 0}, {0.9f, 0.1f}, {0.1f, 1}, {0, 1}};
        float[][] prompts = {{1, 0}, {-1, 0}, {0, 1}};
        boolean[][] present = {{true, true, false, false}, {true, true, false, false}, {true, true, true, true}};
        AttributeZeroShot.Result r = AttributeZeroShot.score(images, prompts, present, 2);
        assertEquals(2, r.attributes());
        assertEquals(0.5, r.meanAuc(), 1e-12, "(1 + 0) / 2");
        assertEquals(0.5, r.meanPrecisionAtK(), 1e-12, "(2/2 + 0/2) / 2");
        assertEquals(0.5, r.positiveRate(), 1e-12);
        assertEquals(Map.of("attribute_count", 2.0, "attribute_auc", 0.5, "attribute_precision_at_2", 0.5,
                "attribute_positive_rate", 0.5), r.metrics());
    }

    @Test
    void cubKindsAndAwa2PredicatesBecomePhrasesAndPresence() {
        List<Map<String, String>> pairs = List.of(
                Map.of("has_wing_color", "blue,black", "class_id", "3", "predicates", "furry"),
                Map.of("has_wing_color", "black", "split", "train"),
                Map.of("predicates", "furry,big_cat"));
        List<AttributeZeroShot.Attribute> vocabulary = AttributeZeroShot.vocabulary(pairs, AttributeZeroShot.DEFAULT_FIELDS);
        assertEquals(List.of(new AttributeZeroShot.Attribute("has_wing_color", "black"),
                new AttributeZeroShot.Attribute("has_wing_color", "blue"),
                new AttributeZeroShot.Attribute("predicates", "big_cat"),
                new AttributeZeroShot.Attribute("predicates", "furry")), vocabulary, "class_id and split are no attributes");
        assertEquals("a photo of something with blue wing color",
                AttributeZeroShot.prompt(AttributeZeroShot.DEFAULT_PROMPT, vocabulary.get(1)));
        assertEquals("a photo of something big cat", AttributeZeroShot.prompt(AttributeZeroShot.DEFAULT_PROMPT, vocabulary.get(2)));
        boolean[][] present = AttributeZeroShot.presence(vocabulary, pairs);
        assertArrayEquals(new boolean[] {true, true, false}, present[0]);
        assertArrayEquals(new boolean[] {true, false, false}, present[1]);
        assertArrayEquals(new boolean[] {true, false, true}, present[3]);
    }
}
