package dev.kclip.launcher.pipeline;

import ai.djl.Device;
import dev.kclip.teacher.Devices;
import dev.kclip.trainer.model.ModelConfig;

/**
 * Where the two model stages of {@code kclip up} and {@code kclip demo} run, and which student the trainer builds:
 * the teacher and the trainer each on the CPU or their own GPU ({@code gpu:N}), so that one card can hold the
 * teacher and another the student.
 *
 * @param teacherDevice the teacher service's device
 * @param trainerDevice the trainer's device (mixed precision on a GPU unless set otherwise)
 * @param student the student configuration; {@code null} keeps the pipeline's default ({@code tiny}, or the shapes
 *     of the {@code --init} CLIP)
 */
public record StagePlacement(Device teacherDevice, Device trainerDevice, ModelConfig student) {

    /** Both stages on the CPU, the default student. */
    public static final StagePlacement CPU = new StagePlacement(Device.cpu(), Device.cpu(), null);

    public StagePlacement {
        if (teacherDevice == null || trainerDevice == null) {
            throw new IllegalArgumentException("both devices are required");
        }
    }

    /** The settings with the teacher and the trainer placed; a named GPU that PyTorch cannot see fails here. */
    public PipelineSettings apply(PipelineSettings settings) {
        Devices.requireAvailable(teacherDevice);
        Devices.requireAvailable(trainerDevice);
        PipelineSettings placed = settings.withTeacher(settings.teacher().withTeacherOptions(
                settings.teacher().teacherOptions().withDevice(teacherDevice)));
        placed = placed.withTrainer(placed.trainer().withDevice(trainerDevice, placed.trainer().precision()));
        return student == null ? placed : placed.withTrainer(placed.trainer().withModel(student));
    }

    /** One line for the start-up output, e.g. {@code teacher on gpu:0, trainer on gpu:1}. */
    public String describe() {
        return "teacher on " + Devices.name(teacherDevice) + ", trainer on " + Devices.name(trainerDevice)
                + (student == null ? "" : ", student " + student.name());
    }
}
