package dev.kclip.common.deadletter;

/**
 * The stable {@code reasonCode} of a dead letter. Each stage declares its reasons as one enum implementing this
 * interface ({@code RejectReason} in the stage's package), one documented constant per reason, so a user can look a
 * code up in one place per stage; the constant's name is the code written on the topic.
 */
public interface ReasonCode {

    /** The code as written in {@code DeadLetter.reasonCode}, e.g. {@code EMPTY_CAPTION}. */
    String name();
}
