package dev.kclip.trainer.data;

import dev.kclip.datasets.image.ImageDecoder;
import dev.kclip.datasets.image.ImageRejectedException;
import dev.kclip.schemas.AvroBytes;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.LabelledPair;
import java.awt.image.BufferedImage;

/** Turns {@link LabelledPair} records into {@link TrainingExample}s, checking everything the trainer relies on. */
public final class Examples {

    /** How far the soft label's sum may stray from 1 (float32 rounding over K values). */
    private static final double SUM_TOLERANCE = 1e-3;

    private static final ImageDecoder IMAGES = new ImageDecoder();

    /** The bucket of a pair that lacks the bucket field. */
    public static final String NO_BUCKET = "(none)";

    private Examples() {
    }

    /**
     * Reads and validates one record.
     *
     * @param labelField where zero-shot labels come from: {@code label} (the pair's label) or an attribute name
     * @param source the record's position, or null
     * @throws InvalidExampleException with a reason code when the record cannot be trained on
     */
    public static TrainingExample fromRecord(LabelledPair record, String labelField, TrainingExample.Source source)
            throws InvalidExampleException {
        return fromRecord(record, labelField, null, source);
    }

    /**
     * Reads and validates one record, and puts it in the bucket named by {@code bucketField}.
     *
     * @param bucketField {@code label}, an attribute name, or null for no bucket; a pair without the field gets
     *     the bucket {@link #NO_BUCKET}
     */
    public static TrainingExample fromRecord(LabelledPair record, String labelField, String bucketField,
            TrainingExample.Source source) throws InvalidExampleException {
        return fromRecord(record, labelField, bucketField, source, null);
    }

    /**
     * Reads and validates one record, and keeps the image decoded to validate it in {@code decoded}, so its
     * batches do not decode it again.
     *
     * @param decoded where the validating decode is kept, or null
     */
    public static TrainingExample fromRecord(LabelledPair record, String labelField, String bucketField,
            TrainingExample.Source source, DecodedImages decoded) throws InvalidExampleException {
        EmbeddedPair embedded = record.getEmbedded();
        ImageCaptionPair pair = embedded.getPair();
        String id = pair.getId();
        String caption = pair.getCaption();
        if (caption == null || caption.isBlank()) {
            throw new InvalidExampleException(RejectReason.EMPTY_CAPTION, "caption is empty", id);
        }
        byte[] image = AvroBytes.toArray(pair.getImage());
        BufferedImage validated;
        try {
            validated = IMAGES.decode(image).image();
        } catch (ImageRejectedException e) {
            throw InvalidExampleException.imageRefused(e, id);
        }
        float[] teacher;
        try {
            teacher = Float32Vectors.decode(embedded.getEmbedding(), embedded.getDim());
        } catch (IllegalArgumentException e) {
            throw new InvalidExampleException(RejectReason.BAD_TEACHER_VECTOR, "teacher vector: " + e.getMessage(), id);
        }
        if (teacher.length == 0 || !allFinite(teacher)) {
            throw new InvalidExampleException(RejectReason.BAD_TEACHER_VECTOR,
                    "teacher vector is empty or not finite (values or squared norm)", id);
        }
        float[] softLabel;
        try {
            softLabel = Float32Vectors.decode(record.getSoftLabel(), record.getConceptCount());
        } catch (IllegalArgumentException e) {
            throw new InvalidExampleException(RejectReason.BAD_SOFT_LABEL, "soft label: " + e.getMessage(), id);
        }
        checkDistribution(softLabel, id);
        long[] conceptIds = record.getConceptIds().stream().mapToLong(Long::longValue).toArray();
        if (conceptIds.length != 0 && conceptIds.length != softLabel.length) {
            throw new InvalidExampleException(RejectReason.BAD_SOFT_LABEL, "soft label names " + conceptIds.length
                    + " concept ids for " + softLabel.length + " concepts", id);
        }
        String label = labelOf(pair, labelField);
        String bucket = null;
        if (bucketField != null) {
            bucket = labelOf(pair, bucketField);
            bucket = bucket == null || bucket.isBlank() ? NO_BUCKET : bucket;
        }
        if (decoded != null) {
            decoded.put(image, validated);
        }
        return new TrainingExample(id, caption, image, label, teacher, embedded.getTeacherModelId(), softLabel,
                record.getCentroidVersion(), conceptIds, source, bucket);
    }

    private static String labelOf(ImageCaptionPair pair, String labelField) {
        if (labelField == null || labelField.equals("label")) {
            return pair.getLabel();
        }
        return pair.getAttributes() == null ? null : pair.getAttributes().get(labelField);
    }

    private static void checkDistribution(float[] p, String id) throws InvalidExampleException {
        if (p.length == 0) {
            throw new InvalidExampleException(RejectReason.BAD_SOFT_LABEL, "soft label has no concepts", id);
        }
        double sum = 0;
        for (float v : p) {
            if (!Float.isFinite(v) || v < 0) {
                throw new InvalidExampleException(RejectReason.BAD_SOFT_LABEL,
                        "soft label has a negative or non-finite probability", id);
            }
            sum += v;
        }
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw new InvalidExampleException(RejectReason.BAD_SOFT_LABEL,
                    "soft label sums to " + sum + ", not 1", id);
        }
    }

    /** Every value finite, and the squared norm too (values of 1e19 and more would overflow the losses). */
    private static boolean allFinite(float[] v) {
        float squaredNorm = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
            squaredNorm += x * x;
        }
        return Float.isFinite(squaredNorm);
    }
}
