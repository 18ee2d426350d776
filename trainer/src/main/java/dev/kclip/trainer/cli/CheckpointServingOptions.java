package dev.kclip.trainer.cli;

import dev.kclip.common.cli.UserException;
import dev.kclip.common.http.BearerToken;
import dev.kclip.common.http.ListenSettings;
import dev.kclip.common.http.TlsKeystore;
import dev.kclip.trainer.checkpoint.CheckpointServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How a checkpoint server listens and whom it serves: the options {@code kclip train --serve-checkpoints} and
 * {@code kclip checkpoints serve} share. The token and the keystore password come from files or the environment.
 */
public final class CheckpointServingOptions {

    private static final ListenSettings DEFAULTS = ListenSettings.loopback(0);
    private static final double BYTES_PER_MB = 1e6;

    @Option(names = "--checkpoints-bind", paramLabel = "ADDRESS",
            description = "Address the checkpoint server binds: 127.0.0.1 serves this machine only, 0.0.0.0 every"
                    + " interface (default: ${DEFAULT-VALUE}).")
    String bind = DEFAULTS.bind();

    @Option(names = "--checkpoints-token-file", paramLabel = "FILE",
            description = "File holding the bearer token followers must send (default: $" + CheckpointServer.TOKEN_ENV + ").")
    Path tokenFile;

    @Option(names = "--checkpoints-tls-keystore", paramLabel = "FILE",
            description = "Serve HTTPS with the certificate in this PKCS#12 (or JKS) keystore (default: plain HTTP).")
    Path keystore;

    @Option(names = "--checkpoints-tls-keystore-password-file", paramLabel = "FILE",
            description = "File holding the keystore's password (default: $" + TlsKeystore.PASSWORD_ENV + ").")
    Path keystorePasswordFile;

    @Option(names = "--checkpoints-max-rate", paramLabel = "MB",
            description = "Megabytes a second all downloads together may take; 0 = no limit (default: ${DEFAULT-VALUE}).")
    double maxRateMb;

    /** Starts serving the checkpoint store {@code dir} on {@code port}. */
    CheckpointServer start(Path dir, int port, Map<String, String> environment) {
        BearerToken token = BearerToken.read(tokenFile, CheckpointServer.TOKEN_ENV, environment);
        if (token == null) {
            throw new UserException("serving checkpoints needs a bearer token: --checkpoints-token-file FILE (readable"
                    + " by you only) or $" + CheckpointServer.TOKEN_ENV);
        }
        if (maxRateMb < 0) {
            throw new UserException("--checkpoints-max-rate is 0 (no limit) or positive, not " + maxRateMb);
        }
        TlsKeystore tls;
        try {
            tls = TlsKeystore.optional(keystore, keystorePasswordFile, environment);
        } catch (RuntimeException e) {
            throw new UserException(e.getMessage(), e);
        }
        ListenSettings listen = DEFAULTS.withBind(bind).withPort(port).withTls(tls);
        try {
            return CheckpointServer.start(dir, listen, token, (long) (maxRateMb * BYTES_PER_MB));
        } catch (UncheckedIOException e) {
            throw new UserException(e.getMessage(), e);
        }
    }

    /**
     * The URL followers are told: the bound address, or this machine's name when bound to every interface (which is
     * no address another machine can dial).
     */
    static URI advertised(CheckpointServer server) {
        String host = server.address().getAddress().isAnyLocalAddress() ? localHostName() : server.address().getHostString();
        return server.url(host);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            throw new UncheckedIOException("cannot name this machine for followers (give the URL to announce): "
                    + e.getMessage(), new IOException(e));
        }
    }
}
