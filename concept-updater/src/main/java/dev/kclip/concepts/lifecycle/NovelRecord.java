package dev.kclip.concepts.lifecycle;

/**
 * A record no concept explains well (d² to its nearest concept above the novelty threshold), waiting in the
 * novelty buffer.
 *
 * @param prepared its vector in the model's geometry
 * @param caption its caption (names a concept born from it)
 * @param eventTime its event time, epoch ms
 * @param record the stream's record count when it arrived (ages the buffer)
 */
public record NovelRecord(float[] prepared, String caption, long eventTime, long record) {
}
