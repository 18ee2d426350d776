package dev.kclip.teacher;

import dev.kclip.teacher.onnx.OnnxMiniLmTeacher;

/**
 * Creates a teacher from a model spec string:
 * <ul>
 *   <li>{@code onnx-minilm} — all-MiniLM-L6-v2 (int8 ONNX bundled in the Maven jar), on DJL's OnnxRuntime engine;</li>
 * </ul>
 */
public final class TeacherModels {

    private TeacherModels() {
    }

    /**
     * Loads the teacher {@code spec} names.
     *
     * @throws IllegalArgumentException for an unknown spec or a missing model file
     */
    public static TeacherModel load(String spec) {
        if (spec.equals(OnnxMiniLmTeacher.SPEC)) {
            return OnnxMiniLmTeacher.load();
        }
        throw new IllegalArgumentException("unknown teacher model spec '" + spec + "'; expected " + OnnxMiniLmTeacher.SPEC);
    }
}
