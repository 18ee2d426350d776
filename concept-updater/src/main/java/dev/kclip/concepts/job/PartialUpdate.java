package dev.kclip.concepts.job;

/**
 * What one parallel assigner learned from the records it labelled since its last flush: the mini-batch
 * statistics and the drift statistics, both additive, for the single updater to merge.
 *
 * @param teacherModelId whose model they are for
 * @param baseVersion the model version the assigner labelled with
 * @param records how many records they summarise
 * @param batch {@link dev.kclip.concepts.kmeans.BatchStatistics#toBytes()}
 * @param window {@link dev.kclip.concepts.drift.WindowStatistics#toBytes()}
 */
public record PartialUpdate(String teacherModelId, long baseVersion, long records, byte[] batch, byte[] window) {
}
