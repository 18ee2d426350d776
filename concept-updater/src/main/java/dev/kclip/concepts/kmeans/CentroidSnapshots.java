package dev.kclip.concepts.kmeans;

import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.Float32Vectors;
import java.time.Instant;
import java.util.List;

/** Converts between a {@link ConceptModel} and the {@link CentroidSnapshot} record of kclip.concepts.centroids. */
public final class CentroidSnapshots {

    /** The concept id a snapshot (and a label) gives a free row: one no concept ever has. */
    public static final long FREE = -1;

    private CentroidSnapshots() {
    }

    /**
     * The snapshot of {@code model} for the teacher {@code teacherModelId}.
     *
     * @param conceptIds the stable id of each concept, in row order; {@link #FREE} for a free row
     * @param reseeded the concepts the update that made this version re-seeded
     */
    public static CentroidSnapshot of(ConceptModel model, String teacherModelId, List<Long> conceptIds,
            List<Integer> reseeded, Instant created) {
        if (conceptIds.size() != model.k()) {
            throw new IllegalArgumentException(conceptIds.size() + " concept ids for K=" + model.k());
        }
        for (int i = 0; i < model.k(); i++) {
            if ((conceptIds.get(i) == FREE) == model.isActive(i)) {
                throw new IllegalArgumentException("row " + i + " has id " + conceptIds.get(i) + " but is "
                        + (model.isActive(i) ? "active" : "free"));
            }
        }
        double[] weights = model.weights();
        float[] weights32 = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            weights32[i] = (float) weights[i];
        }
        return CentroidSnapshot.newBuilder()
                .setTeacherModelId(teacherModelId)
                .setVersion(model.version())
                .setConceptCount(model.k())
                .setDim(model.dim())
                .setCentroids(Float32Vectors.encode(model.centroids().rowMajor()))
                .setWeights(Float32Vectors.encode(weights32))
                .setDistance(model.distance().name())
                .setKernel(model.kernel().name())
                .setTemperature(model.temperature())
                .setRecordsSeen(model.recordsSeen())
                .setReseeded(List.copyOf(reseeded))
                .setConceptIds(List.copyOf(conceptIds))
                .setNoveltyThreshold(model.noveltyThreshold())
                .setCreatedTime(created)
                .build();
    }

    /**
     * The model a snapshot describes. The snapshot has no field for the event time of the last update, so its
     * creation time stands in for it (it only matters for time-based decay). Rows whose concept id is
     * {@link #FREE} are free rows.
     *
     * @throws IllegalArgumentException when the snapshot is inconsistent (sizes, names, values)
     */
    public static ConceptModel toModel(CentroidSnapshot snapshot) {
        int k = snapshot.getConceptCount();
        int dim = snapshot.getDim();
        if (k < 1 || dim < 1) {
            throw new IllegalArgumentException("snapshot declares K=" + k + ", D=" + dim);
        }
        float[] centroids = Float32Vectors.decode(snapshot.getCentroids(), k * dim);
        float[] weights32 = Float32Vectors.decode(snapshot.getWeights(), k);
        double[] weights = new double[k];
        for (int i = 0; i < k; i++) {
            weights[i] = weights32[i];
        }
        if (!snapshot.getConceptIds().isEmpty() && snapshot.getConceptIds().size() != k) {
            throw new IllegalArgumentException("snapshot of K=" + k + " has " + snapshot.getConceptIds().size()
                    + " concept ids");
        }
        boolean[] active = new boolean[k];
        for (int i = 0; i < k; i++) {
            active[i] = snapshot.getConceptIds().isEmpty() || snapshot.getConceptIds().get(i) != FREE;
        }
        return new ConceptModel(
                Centroids.ofRowMajor(k, dim, centroids, Distance.parse(snapshot.getDistance())),
                weights, Kernel.parse(snapshot.getKernel()), snapshot.getTemperature(),
                snapshot.getNoveltyThreshold(), snapshot.getVersion(), snapshot.getRecordsSeen(),
                snapshot.getCreatedTime().toEpochMilli(), active);
    }
}
