package dev.kclip.common.http;

import dev.kclip.common.cli.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;

/**
 * The shared secret a kclip HTTP server requires in {@code Authorization: Bearer <token>} and its clients send. It
 * comes from a file or the environment, never from a command line (where {@code ps} and shell histories keep it),
 * and is never logged or printed.
 */
public final class BearerToken {

    private static final String SCHEME = "Bearer ";

    private final String token;
    private final byte[] bytes;

    private BearerToken(String token) {
        this.token = token;
        this.bytes = token.getBytes(StandardCharsets.UTF_8);
    }

    /** What a request's {@code Authorization} header amounts to. */
    public enum Check {
        /** The right token: serve the request. */
        GRANTED,
        /** No bearer token at all: answer 401 with {@code WWW-Authenticate}. */
        MISSING,
        /** A bearer token, not this one: answer 403. */
        WRONG
    }

    /** The token {@code token} (surrounding white space removed). */
    public static BearerToken of(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a bearer token cannot be empty");
        }
        return new BearerToken(token.strip());
    }

    /**
     * The token in {@code file} (its content, stripped), else the one in {@code environmentVariable}, else null.
     *
     * @throws UserException when the file cannot be read or is empty
     */
    public static BearerToken read(Path file, String environmentVariable, Map<String, String> environment) {
        if (file != null) {
            try {
                String token = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (token.isEmpty()) {
                    throw new UserException("token file " + file + " is empty");
                }
                return new BearerToken(token);
            } catch (IOException e) {
                throw new UserException("cannot read token file " + file + ": " + e.getMessage(), e);
            }
        }
        String token = environment.get(environmentVariable);
        return token == null || token.isBlank() ? null : new BearerToken(token.strip());
    }

    /** Checks a request's {@code Authorization} header (null when it has none) in constant time. */
    public Check check(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Check.MISSING;
        }
        byte[] given = authorization.substring(SCHEME.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, bytes) ? Check.GRANTED : Check.WRONG;
    }

    /** The {@code Authorization} header value a client sends. */
    public String header() {
        return SCHEME + token;
    }

    /** The token itself, for configurations that hold it as a string. */
    public String value() {
        return token;
    }

    /** Leaves the token out, so it can be logged. */
    @Override
    public String toString() {
        return "BearerToken[(hidden)]";
    }
}
