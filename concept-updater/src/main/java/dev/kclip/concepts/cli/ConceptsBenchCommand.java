package dev.kclip.concepts.cli;

import dev.kclip.concepts.bench.ConceptBench;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kclip concepts bench}: records/s of the per-record assignment, the batched kernel (and its GFLOP/s beside
 * its square-product figure), the model operator and the parallel path.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure records/s of the concept model (plain Java, batched kernel, Flink operator, parallel"
                + " path) vs D, K, P.")
public final class ConceptsBenchCommand implements Callable<Integer> {

    // the defaults are the standard plan's (picocli takes a field's initial value as the default)
    private static final ConceptBench.Plan STANDARD = ConceptBench.Plan.standard();

    @Option(names = "--dims", split = ",", description = "Dimensions D (default:"
            + " ${DEFAULT-VALUE}).")
    List<Integer> dims = new ArrayList<>(STANDARD.dims());

    @Option(names = "--ks", split = ",", description = "Concept counts K (default:"
            + " ${DEFAULT-VALUE}).")
    List<Integer> ks = new ArrayList<>(STANDARD.ks());

    @Option(names = "--parallelism", split = ",",
            description = "Assigners P of the parallel path (default: ${DEFAULT-VALUE}).")
    List<Integer> parallelisms = new ArrayList<>(STANDARD.parallelisms());

    @Option(names = "--seconds",
            description = "Target length of each Flink run, in seconds (default: ${DEFAULT-VALUE}).")
    double seconds = STANDARD.seconds();

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
