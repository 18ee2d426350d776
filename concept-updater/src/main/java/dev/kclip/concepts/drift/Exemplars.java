package dev.kclip.concepts.drift;

import dev.kclip.concepts.state.ExemplarState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The captions nearest each concept's centroid among the records labelled in a window (at most {@value #PER_CONCEPT}
 * per concept, by d² at labelling time): what a drift report shows for the concepts whose share moved. Only
 * records labelled by the concept model operator itself are seen (on the parallel path the assigners label most).
 */
public final class Exemplars {

    /** Captions kept per concept. */
    public static final int PER_CONCEPT = 3;

    private record Exemplar(double squaredDistance, String caption) {
    }

    private final Map<Integer, List<Exemplar>> byConcept = new TreeMap<>();

    /** Offers one labelled record's caption. */
    public void offer(int concept, double squaredDistance, String caption) {
        List<Exemplar> kept = byConcept.computeIfAbsent(concept, c -> new ArrayList<>(PER_CONCEPT + 1));
        if (kept.stream().anyMatch(e -> e.caption().equals(caption))) {
            return;
        }
        kept.add(new Exemplar(squaredDistance, caption));
        kept.sort(Comparator.comparingDouble(Exemplar::squaredDistance));
        if (kept.size() > PER_CONCEPT) {
            kept.remove(PER_CONCEPT);
        }
    }

    /** The captions kept for {@code concept}, nearest first. */
    public List<String> captions(int concept) {
        return byConcept.getOrDefault(concept, List.of()).stream().map(Exemplar::caption).toList();
    }

    public void clear() {
        byConcept.clear();
    }

    /** As state. */
    public List<ExemplarState> toState() {
        List<ExemplarState> state = new ArrayList<>();
        byConcept.forEach((concept, kept) -> kept.forEach(
                e -> state.add(new ExemplarState(concept, e.squaredDistance(), e.caption()))));
        return state;
    }

    /** Reads what {@link #toState} wrote. */
    public static Exemplars fromState(List<ExemplarState> state) {
        Exemplars exemplars = new Exemplars();
        state.forEach(e -> exemplars.offer(e.getConcept(), e.getSquaredDistance(), e.getCaption()));
        return exemplars;
    }
}
