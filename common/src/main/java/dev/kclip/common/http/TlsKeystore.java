package dev.kclip.common.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The keystore (PKCS#12 or JKS) an HTTPS server presents its certificate from. The password comes from a file or
 * the environment, never from a command line (where {@code ps} and shell histories keep it).
 *
 * @param file the keystore file
 * @param password its password (also the key's); never logged or printed
 */
public record TlsKeystore(Path file, String password) {

    /** The environment variable with the keystore password, when no password file is given. */
    public static final String PASSWORD_ENV = "KCLIP_TLS_KEYSTORE_PASSWORD";

    public TlsKeystore {
        if (file == null || !Files.isReadable(file)) {
            throw new IllegalArgumentException("TLS keystore " + file + " is not a readable file");
        }
        if (password == null) {
            throw new IllegalArgumentException("the TLS keystore needs its password: a password file or $" + PASSWORD_ENV);
        }
    }

    /**
     * The keystore with its password read from {@code passwordFile} (first line, trimmed) or, without one, from
     * {@link #PASSWORD_ENV} in {@code environment}.
     */
    public static TlsKeystore of(Path file, Path passwordFile, Map<String, String> environment) {
        if (passwordFile == null) {
            return new TlsKeystore(file, environment.get(PASSWORD_ENV));
        }
        try {
            return new TlsKeystore(file, Files.readString(passwordFile, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the keystore password file " + passwordFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * The keystore a server's options name: null without {@code file} (plain HTTP), else {@link #of}.
     *
     * @throws IllegalArgumentException when a password file comes without a keystore, or the keystore is unusable
     * @throws UncheckedIOException when the password file cannot be read
     */
    public static TlsKeystore optional(Path file, Path passwordFile, Map<String, String> environment) {
        if (file == null) {
            if (passwordFile != null) {
                throw new IllegalArgumentException("a keystore password file (" + passwordFile + ") needs a TLS keystore");
            }
            return null;
        }
        return of(file, passwordFile, environment);
    }

    /** Leaves the password out, so settings can be logged. */
    @Override
    public String toString() {
        return "TlsKeystore[file=" + file + ", password=(hidden)]";
    }
}
