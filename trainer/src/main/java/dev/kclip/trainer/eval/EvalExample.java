package dev.kclip.trainer.eval;

import dev.kclip.trainer.data.TrainingExample;

/**
 * One pair to evaluate on; the optional parts switch on the metrics that need them.
 *
 * @param label class name for zero-shot classification, or null
 * @param teacher the teacher's vector of the caption for teacher agreement, or null
 * @param topConcept the soft label's most probable concept for concept accuracy, or -1
 */
public record EvalExample(String id, String caption, byte[] image, String label, float[] teacher, int topConcept) {

    /** A held-out stream example: everything is there. */
    public static EvalExample of(TrainingExample e) {
        return new EvalExample(e.id(), e.caption(), e.image(), e.label(), e.teacher(), e.topConcept());
    }
}
