package dev.kclip.trainer.cli;

import dev.kclip.trainer.bench.TrainingBenchmark;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kclip train bench}: training throughput against batch size. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training examples/s of a model at several batch sizes (ratios to the smallest).")
final class TrainBenchCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "NAME|FILE", description = "Default: ${DEFAULT-VALUE}.")
    String model = ModelConfig.tiny().name();

    @Option(names = "--batch-sizes", defaultValue = "8,16,32,64", split = ",", paramLabel = "N,N,...", description = "Default: ${DEFAULT-VALUE}.")
    List<Integer> batchSizes;

    @Option(names = "--steps", defaultValue = "10", paramLabel = "N", description = "Measured steps per batch size (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Unmeasured steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu", description = "Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--precision", paramLabel = "FP32|MIXED", description = "Default: ${DEFAULT-VALUE}.")
    Precision precision = Precision.FP32;

    @Option(names = "--dataset", defaultValue = "datasets/emoji-64/pairs.jsonl", paramLabel = "FILE",
            description = "Pairs whose images to use; synthetic images when absent (default: ${DEFAULT-VALUE}).")
    Path dataset;

    @Option(names = "--compare-batch", paramLabel = "N",
            description = "Batch size at which to compare on-thread decoding, the decoded-image cache and the cache with"
                    + " prefetch, and to time a checkpoint; 0 = neither (default: ${DEFAULT-VALUE}).")
    int compareBatch = TrainerConfig.defaults(Path.of("unused")).batching().batchSize();

    @Option(names = "--prefetch-workers", paramLabel = "N", description = "Workers of the prefetch mode (default: ${DEFAULT-VALUE}).")
    int prefetchWorkers = TrainerConfig.Batching.DEFAULT_PREFETCH_WORKERS;

    @Override
    public Integer call() {
        if (batchSizes.isEmpty() || batchSizes.stream().anyMatch(b -> b < 2)) {
            throw new IllegalArgumentException("--batch-sizes needs sizes of at least 2");
        }
        TrainingBenchmark.run(new TrainingBenchmark.Settings(ModelConfig.load(model), batchSizes, warmup, steps,
                device.equals("gpu"), precision, dataset, 384, 64, compareBatch, prefetchWorkers), System.out);
        return 0;
    }
}
