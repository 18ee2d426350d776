package dev.kclip.datasets.read;

/** An entry that cannot be used after all (its image vanished, grew, or cannot be read), with why. */
public final class SkippedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Skipped skipped;

    /** @param skipped the entry and why it cannot be used */
    public SkippedException(Skipped skipped) {
        super(skipped.toString());
        this.skipped = skipped;
    }

    /** The entry and why it was left out. */
    public Skipped skipped() {
        return skipped;
    }
}
