package dev.kclip.concepts.cli;

import dev.kclip.concepts.bench.ConceptBench;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kclip concepts bench}: records/s of the assignment, the model operator and the parallel path. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure records/s of the concept model (plain Java, Flink operator, parallel path) vs D, K, P.")
public final class ConceptsBenchCommand implements Callable<Integer> {

    @Option(names = "--dims", split = ",", defaultValue = "384,4096", description = "Dimensions D (default:"
            + " ${DEFAULT-VALUE}).")
    List<Integer> dims;

    @Option(names = "--ks", split = ",", defaultValue = "64,256", description = "Concept counts K (default:"
            + " ${DEFAULT-VALUE}).")
    List<Integer> ks;

    @Option(names = "--parallelism", split = ",", defaultValue = "1,2",
            description = "Assigners P of the parallel path (default: ${DEFAULT-VALUE}).")
    List<Integer> parallelisms;

    @Option(names = "--seconds", defaultValue = "6",
            description = "Target length of each Flink run, in seconds (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Override
    public Integer call() throws Exception {
        if (dims.stream().anyMatch(d -> d < 1) || ks.stream().anyMatch(k -> k < 1)
                || parallelisms.stream().anyMatch(p -> p < 1) || !(seconds > 0)) {
            throw new IllegalArgumentException("dimensions, K, P and seconds must be positive");
        }
        ConceptBench.run(new ConceptBench.Plan(dims, ks, parallelisms, seconds), System.out);
        return 0;
    }
}
