package dev.kclip.concepts.lifecycle;

import dev.kclip.concepts.state.BatchStatisticsState;
import dev.kclip.concepts.state.ConceptSum;
import java.util.ArrayList;
import java.util.List;

/**
 * The version-safe merge of a parallel assigner's partial statistics: a partial computed against model version v
 * is merged into version v + n row by row. A row whose concept is the same as at v (its id was given at or before
 * v) is merged: its records were assigned to that very concept, which has only moved by n small steps since. A
 * row whose concept changed after v (born, merged away, retired or re-seeded) is dropped, and its records are
 * counted ({@link Admitted#droppedRecords}): they were assigned to a concept that no longer holds that row. The
 * partial is widened to the current K (K only grows); its drift counts are kept whole (they describe labels
 * already sent). A partial from a version newer than the model (state lost)
 * is dropped whole.
 */
public final class StalePartials {

    private StalePartials() {
    }

    /**
     * What of a partial may be merged.
     *
     * @param batch the kept rows, over the current K
     * @param droppedRecords records in dropped rows
     */
    public record Admitted(BatchStatisticsState batch, long droppedRecords) {
    }

    /**
     * @param baseVersion the version the partial's records were labelled with
     * @param modelVersion the current model's version
     * @param since the version at which each current row's concept got its id
     */
    public static Admitted admit(BatchStatisticsState batch, long baseVersion, long modelVersion, long[] since) {
        int k = since.length;
        if (batch.getK() > k) {
            throw new IllegalArgumentException("partial of K=" + batch.getK() + " for a model of K=" + k);
        }
        List<ConceptSum> kept = new ArrayList<>();
        long records = 0;
        long dropped = 0;
        long maxTime = Long.MIN_VALUE;
        for (ConceptSum sum : batch.getConcepts()) {
            if (baseVersion <= modelVersion && since[sum.getConcept()] <= baseVersion) {
                kept.add(sum);
                records += sum.getCount();
                maxTime = batch.getMaxEventTime();
            } else {
                dropped += sum.getCount();
            }
        }
        return new Admitted(new BatchStatisticsState(k, batch.getDim(), records, maxTime, kept), dropped);
    }
}
