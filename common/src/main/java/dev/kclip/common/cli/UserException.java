package dev.kclip.common.cli;

/** A mistake the user can fix (a missing file, a bad option value): printed as one line, no stack trace. */
public class UserException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
