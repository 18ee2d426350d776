package dev.kclip.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.loop.TrainingSession;
import dev.kclip.trainer.loop.TrainingSessionTest;
import dev.kclip.trainer.loop.TrainingSettings;
import dev.kclip.trainer.model.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attribute zero-shot through a real (small, briefly trained) student: the figures are those of its embeddings. */
class AttributeEvaluationTest {

    @Test
    void theStudentsImagesAreScoredAgainstOnePromptPerAttribute() throws Exception {
        List<TrainingExample> data = TrainingSessionTest.examples(16);
        List<EvalExample> examples = new ArrayList<>();
        for (TrainingExample e : data) {
            // the colour is a predicate, and every red or yellow circle is also "warm"
            String predicates = e.label() + (e.label().equals("red") || e.label().equals("yellow") ? ",warm" : "");
            examples.add(new EvalExample(e.id(), e.caption(), e.image(), e.label(), null, -1,
                    Map.of("predicates", predicates, "class_id", "7")));
        }
        try (TrainingSession session = TrainingSession.create(TrainingSessionTest.small(),
                TrainingSettings.defaults().withLearningRate(1e-3, 2), Device.cpu(), Precision.FP32)) {
            session.train(data.subList(0, 8), List.of());
            Evaluator evaluator = new Evaluator(session.model(), session.tokenizer(), Evaluator.DEFAULT_PROMPT)
                    .withAttributes(AttributeZeroShot.DEFAULT_FIELDS, AttributeZeroShot.DEFAULT_PROMPT, 4);
            Map<String, Double> metrics = evaluator.evaluate(examples);
            assertEquals(5.0, metrics.get("attribute_count"), "blue, green, red, warm, yellow (class_id is none)");
            assertEquals((4 * 0.25 + 0.5) / 5, metrics.get("attribute_positive_rate"), 1e-12);

            // the same figures from the student's embeddings, computed here
            float[][] images = evaluator.embed(examples).images();
            List<String> attributes = List.of("blue", "green", "red", "warm", "yellow");
            float[][] prompts = evaluator.texts(attributes.stream().map(a -> "a photo of something " + a).toList());
            double auc = 0;
            double precision = 0;
            for (int a = 0; a < attributes.size(); a++) {
                double[] scores = new double[images.length];
                boolean[] present = new boolean[images.length];
                for (int i = 0; i < images.length; i++) {
                    scores[i] = Similarity.cosine(images[i], prompts[a]);
                    present[i] = examples.get(i).attributes().get("predicates").contains(attributes.get(a));
                }
                auc += AttributeZeroShot.auc(scores, present);
                precision += AttributeZeroShot.precisionAtK(scores, present, 4);
            }
            assertEquals(auc / 5, metrics.get("attribute_auc"), 1e-9);
            assertEquals(precision / 5, metrics.get("attribute_precision_at_4"), 1e-9);
        }
    }
}
