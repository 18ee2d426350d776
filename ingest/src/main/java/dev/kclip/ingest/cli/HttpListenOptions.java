package dev.kclip.ingest.cli;

import dev.kclip.common.cli.DurationConverter;
import dev.kclip.common.cli.UserException;
import dev.kclip.common.http.BearerToken;
import dev.kclip.common.http.ListenSettings;
import dev.kclip.common.http.TlsKeystore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How the HTTP intake listens, and where its bearer token comes from: the options {@code kclip ingest} and
 * {@code kclip up} share. Secrets never come from the command line: the token and the keystore password are read
 * from files or the environment.
 */
public final class HttpListenOptions {

    private static final ListenSettings DEFAULTS = ListenSettings.loopback(0);

    @Option(names = "--http-bind", paramLabel = "ADDRESS",
            description = "Address of the HTTP intake: 127.0.0.1 serves this machine only, 0.0.0.0 every interface"
                    + " (as containers set it) (default: ${DEFAULT-VALUE}).")
    String bind = DEFAULTS.bind();

    @Option(names = "--http-token-file", paramLabel = "FILE",
            description = "File holding the bearer token HTTP clients must send.")
    Path tokenFile;

    @Option(names = "--http-idle-timeout", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "A connection that sends nothing this long is closed, so slow clients cannot hold the"
                    + " intake, e.g. 30s (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout = DEFAULTS.idleTimeout();

    @Option(names = "--http-max-connections", paramLabel = "N",
            description = "Connections open at once; more wait to be accepted (default: ${DEFAULT-VALUE}).")
    int maxConnections = DEFAULTS.maxConnections();

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "Serve HTTPS with the certificate in this PKCS#12 (or JKS) keystore (default: plain HTTP).")
    Path keystore;

    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE",
            description = "File holding the keystore's password (default: $" + TlsKeystore.PASSWORD_ENV + ").")
    Path keystorePasswordFile;

    /** Where to listen on {@code port}, TLS included when a keystore is given. */
    public ListenSettings listen(int port, Map<String, String> environment) {
        TlsKeystore tls;
        try {
            tls = TlsKeystore.optional(keystore, keystorePasswordFile, environment);
        } catch (RuntimeException e) {
            throw new UserException(e.getMessage(), e);
        }
        return new ListenSettings(bind, port, idleTimeout, maxConnections, tls);
    }

    /** The token from {@code --http-token-file}, else from {@code environmentVariable}, else null. */
    public String token(String environmentVariable, Map<String, String> environment) {
        BearerToken token = BearerToken.read(tokenFile, environmentVariable, environment);
        return token == null ? null : token.value();
    }
}
