package dev.kclip.trainer.data;

/**
 * One labelled pair as the trainer uses it: what the student sees (image, caption), what it learns from (the
 * teacher's vector, the soft concept label) and where it came from (for offsets and exactly-once accounting).
 *
 * @param id the pair id (content hash)
 * @param caption the caption
 * @param image encoded image bytes (JPEG, PNG, ...)
 * @param label class name for zero-shot evaluation, or null
 * @param teacher the teacher's caption embedding
 * @param teacherModelId the teacher that made it
 * @param softLabel probabilities over the K concepts of {@code centroidVersion}
 * @param centroidVersion the centroid version that made the label
 * @param conceptIds the stable id of each of the label's K concepts, or empty when the label names none (the ids
 *     are then the indices)
 * @param source where the example was read, or null when it did not come from a stream
 * @param bucket the continual-evaluation bucket (time step, category) the example belongs to, or null
 */
public record TrainingExample(String id, String caption, byte[] image, String label, float[] teacher,
        String teacherModelId, float[] softLabel, long centroidVersion, long[] conceptIds, Source source,
        String bucket) {

    /** An example in no bucket. */
    public TrainingExample(String id, String caption, byte[] image, String label, float[] teacher,
            String teacherModelId, float[] softLabel, long centroidVersion, long[] conceptIds, Source source) {
        this(id, caption, image, label, teacher, teacherModelId, softLabel, centroidVersion, conceptIds, source, null);
    }

    /** The same example in {@code value}. */
    public TrainingExample withBucket(String value) {
        return new TrainingExample(id, caption, image, label, teacher, teacherModelId, softLabel, centroidVersion,
                conceptIds, source, value);
    }

    /** A record position in the stream. */
    public record Source(String topic, int partition, long offset) {
    }

    /** The id of concept {@code index}: its stable id when the label names ids, else the index itself. */
    public long conceptId(int index) {
        return conceptIds.length == 0 ? index : conceptIds[index];
    }

    /** K of the label. */
    public int conceptCount() {
        return softLabel.length;
    }

    /** The most probable concept of the soft label. */
    public int topConcept() {
        int best = 0;
        for (int k = 1; k < softLabel.length; k++) {
            if (softLabel[k] > softLabel[best]) {
                best = k;
            }
        }
        return best;
    }
}
