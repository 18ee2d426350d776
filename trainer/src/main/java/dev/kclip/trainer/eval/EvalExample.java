package dev.kclip.trainer.eval;

import dev.kclip.trainer.data.TrainingExample;
import java.util.Map;

/**
 * One pair to evaluate on; the optional parts switch on the metrics that need them.
 *
 * @param label class name for zero-shot classification, or null
 * @param teacher the teacher's vector of the caption for teacher agreement, or null
 * @param topConcept the soft label's most probable concept for concept accuracy, or -1
 * @param attributes the pair's attributes (field → value, comma-separated lists) for attribute zero-shot
 */
public record EvalExample(String id, String caption, byte[] image, String label, float[] teacher, int topConcept,
        Map<String, String> attributes) {

    public EvalExample {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** A pair without attributes. */
    public EvalExample(String id, String caption, byte[] image, String label, float[] teacher, int topConcept) {
        this(id, caption, image, label, teacher, topConcept, Map.of());
    }

    /** A held-out stream example: everything is there. */
    public static EvalExample of(TrainingExample e) {
        return new EvalExample(e.id(), e.caption(), e.image(), e.label(), e.teacher(), e.topConcept());
    }
}
