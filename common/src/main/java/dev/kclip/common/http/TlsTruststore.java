package dev.kclip.common.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates (a PKCS#12 or JKS store) an HTTPS client of a kclip server trusts instead of the JDK's
 * authorities: how a client reaches a server with a self-signed certificate (the server's own keystore will do).
 *
 * @param file the store
 * @param password its password, or null to read it without the integrity check; never logged or printed
 */
public record TlsTruststore(Path file, String password) {

    /** The environment variable with the truststore password, when no password file is given. */
    public static final String PASSWORD_ENV = "KCLIP_TLS_TRUSTSTORE_PASSWORD";

    public TlsTruststore {
        if (file == null || !Files.isReadable(file)) {
            throw new IllegalArgumentException("TLS truststore " + file + " is not a readable file");
        }
    }

    /**
     * The truststore with its password read from {@code passwordFile} (trimmed) or, without one, from
     * {@link #PASSWORD_ENV} in {@code environment} (may be absent).
     */
    public static TlsTruststore of(Path file, Path passwordFile, Map<String, String> environment) throws IOException {
        return new TlsTruststore(file, passwordFile == null ? environment.get(PASSWORD_ENV)
                : Files.readString(passwordFile, StandardCharsets.UTF_8).strip());
    }

    /** A TLS context that trusts exactly the certificates in the store. */
    public SSLContext sslContext() throws IOException {
        try {
            KeyStore store = KeyStore.getInstance(file.toFile(), password == null ? null : password.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use TLS truststore " + file + ": " + e.getMessage(), e);
        }
    }

    /** Leaves the password out, so settings can be logged. */
    @Override
    public String toString() {
        return "TlsTruststore[file=" + file + ", password=(hidden)]";
    }
}
