package dev.kclip.datasets.image;

/** An image that will not be decoded, and which of the three reasons applies. */
public final class ImageRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the image was rejected. */
    public enum Problem {
        /** Not one of the {@link ImageFormat}s, or no reader for it is available. */
        UNSUPPORTED_FORMAT,
        /** The header declares more pixels than allowed (a decompression bomb, or just too big). */
        TOO_LARGE,
        /** Recognised, but empty, truncated or corrupt. */
        UNDECODABLE
    }

    private final Problem problem;

    public ImageRejectedException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public ImageRejectedException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
