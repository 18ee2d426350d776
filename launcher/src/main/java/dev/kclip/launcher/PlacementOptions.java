package dev.kclip.launcher;

import dev.kclip.launcher.pipeline.Bundled;
import dev.kclip.launcher.pipeline.StagePlacement;
import dev.kclip.teacher.Devices;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.model.ModelConfig;
import java.io.PrintStream;
import picocli.CommandLine.Option;

/** {@code --teacher-device}, {@code --trainer-device} and {@code --student} of {@code kclip up} and {@code kclip demo}. */
final class PlacementOptions {

    @Option(names = "--teacher-device", paramLabel = Devices.NAMES,
            description = "Where the teacher runs (as kclip teacher serve --device; default: ${DEFAULT-VALUE}).")
    String teacherDevice = Devices.name(StagePlacement.CPU.teacherDevice());

    @Option(names = "--trainer-device", paramLabel = Devices.NAMES,
            description = "Where the student trains, in mixed precision on a GPU (as kclip train --device; default: ${DEFAULT-VALUE}).")
    String trainerDevice = Devices.name(StagePlacement.CPU.trainerDevice());

    @Option(names = "--student", paramLabel = "NAME|FILE",
            description = "Student configuration: tiny, vit-b-32, or a JSON file overriding one (as kclip train --model);"
                    + " without --init it starts from random weights (the bundled base is a tiny student).")
    String student;

    /** The placement these options describe. */
    StagePlacement placement() {
        return new StagePlacement(Devices.parse(teacherDevice), Devices.parse(trainerDevice),
                student == null ? null : ModelConfig.load(student));
    }

    /**
     * The {@code --init} to run with: the option when given; else random weights when {@code --student} names another
     * student (said on {@code out}); else the bundled base ({@link Bundled#init}).
     */
    String init(String initOption, PrintStream out) {
        if (initOption == null && student != null) {
            out.println("kclip: --student " + student + " without --init starts from random weights (--init "
                    + TrainerConfig.NO_INIT + ")");
            return TrainerConfig.NO_INIT;
        }
        return Bundled.init(initOption, out);
    }
}
