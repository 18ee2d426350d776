package dev.kclip.teacher.cli;

import ai.djl.Device;
import dev.kclip.teacher.Devices;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.TeacherOptions;
import dev.kclip.teacher.bench.TeacherBench;
import dev.kclip.teacher.llama.Llama;
import dev.kclip.teacher.llama.LlamaConfig;
import dev.kclip.teacher.llama.RopeLayout;
import dev.kclip.teacher.onnx.OnnxMiniLmTeacher;
import dev.kclip.teacher.service.bench.TeacherServiceBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure teacher throughput against batch size, or a random-weight Llama-2-7B forward pass on a GPU.")
final class BenchCommand implements Callable<Integer> {

    /** The llama2.c test checkpoint in a source checkout, used when no --model is given. */
    static final String FIXTURE = "teacher-models/src/test/resources/llama2c-260k/model.bin";

    @Option(names = "--model", paramLabel = "SPEC",
            description = "Teacher to measure (repeat for several); default: " + OnnxMiniLmTeacher.SPEC
                    + " and the llama2c test checkpoint.")
    List<String> models;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,8,32,64", paramLabel = "N,N,...",
            description = "Batch sizes to compare; ratios are against the smallest (default: ${DEFAULT-VALUE}).")
    int[] batchSizes;

    @Option(names = "--captions", defaultValue = "512", paramLabel = "N",
            description = "Captions embedded at each batch size (default: ${DEFAULT-VALUE}).")
    int captions;

    @Option(names = "--device", paramLabel = "cpu|gpu|gpu:N", description = "Default: ${DEFAULT-VALUE}.")
    String device = ModelOptions.DEFAULT_DEVICE;

    @Option(names = "--random-llama", paramLabel = "7b|tiny",
            description = "Instead: a Llama of this shape with random weights made on the device; reports TFLOP/s.")
    String randomLlama;

    @Option(names = "--service",
            description = "Instead: the teacher service Kafka-in/Kafka-out (embedded broker, cache off) against the bare "
                    + "model on the same captions at each batch size, in one run; the ratio is service / bare.")
    boolean service;

    @Option(names = "--seq-len", defaultValue = "128", paramLabel = "N",
            description = "Tokens per sequence for --random-llama (default: ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--iterations", defaultValue = "5", paramLabel = "N",
            description = "Timed forward passes per batch size for --random-llama (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--peak-tflops", defaultValue = "989", paramLabel = "TFLOPS",
            description = "The card's dense float16 peak, for the share column (H100 SXM: 989; default: ${DEFAULT-VALUE}).")
    double peakTflops;

    @Override
    public Integer call() {
        Device target = Devices.parse(device);
        if (randomLlama != null) {
            LlamaConfig shape = switch (randomLlama) {
                case "7b" -> LlamaConfig.llama2_7b();
                case "tiny" -> new LlamaConfig(256, 688, 4, 8, 4, 1000, 1024, 1e-5f, 10000f, RopeLayout.HALVES, true);
                default -> throw new IllegalArgumentException("--random-llama is 7b or tiny, not " + randomLlama);
            };
            System.out.println("building the model on " + target + " ...");
            try (Llama model = TeacherBench.randomLlama(shape, target, 42)) {
                System.out.print(TeacherBench.flopsTable(shape, TeacherBench.forwardFlops(model, batchSizes, seqLen, iterations),
                        peakTflops, target.toString()));
            }
            return 0;
        }
        if (service) {
            for (String spec : specs()) {
                for (int batchSize : batchSizes) {
                    System.out.println(TeacherServiceBench.run(spec, TeacherOptions.defaults().withDevice(target), captions,
                            batchSize).summary());
                    System.out.flush();
                }
            }
            return 0;
        }
        List<String> text = TeacherBench.captions(captions, 1);
        for (String spec : specs()) {
            try (TeacherModel teacher = TeacherModels.load(spec, TeacherOptions.defaults().withDevice(target))) {
                System.out.print(TeacherBench.throughputTable(TeacherBench.throughput(teacher, text, batchSizes)));
                System.out.flush();
            }
        }
        return 0;
    }

    private List<String> specs() {
        if (models != null) {
            return models;
        }
        List<String> specs = new ArrayList<>(List.of(OnnxMiniLmTeacher.SPEC));
        Path fixture = Path.of(System.getProperty("kclip.home", ".")).resolve(FIXTURE);
        if (Files.isRegularFile(fixture)) {
            specs.add("llama2c:" + fixture);
        }
        return specs;
    }
}
