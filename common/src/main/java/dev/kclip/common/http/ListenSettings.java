package dev.kclip.common.http;

import java.time.Duration;

/**
 * Where and how an HTTP server of a kclip service listens.
 *
 * @param bind the address to bind: {@link #LOOPBACK} unless the service must be reached from elsewhere (containers
 *        set {@link #ALL_INTERFACES})
 * @param port TCP port (0 for a free one)
 * @param idleTimeout how long a connection may send or take nothing before it is closed; a client that stops in the
 *        middle of a request loses it after this long, so slow clients cannot hold the server (default 30 s)
 * @param maxConnections connections open at once; beyond it the server stops accepting until one closes
 * @param tls the keystore to serve HTTPS with, or null for plain HTTP
 */
public record ListenSettings(String bind, int port, Duration idleTimeout, int maxConnections, TlsKeystore tls) {

    /** Only this machine: the default of every kclip server. */
    public static final String LOOPBACK = "127.0.0.1";
    /** Every interface: what a container sets, so its port can be published. */
    public static final String ALL_INTERFACES = "0.0.0.0";
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_CONNECTIONS = 256;

    public ListenSettings {
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("a bind address is needed (" + LOOPBACK + " or " + ALL_INTERFACES + ")");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("the idle timeout must be positive, not " + idleTimeout);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("the connection limit must be positive, not " + maxConnections);
        }
    }

    /** Plain HTTP on the loopback address with the default timeout and connection limit. */
    public static ListenSettings loopback(int port) {
        return new ListenSettings(LOOPBACK, port, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, null);
    }

    public ListenSettings withBind(String address) {
        return new ListenSettings(address, port, idleTimeout, maxConnections, tls);
    }

    public ListenSettings withPort(int value) {
        return new ListenSettings(bind, value, idleTimeout, maxConnections, tls);
    }

    public ListenSettings withIdleTimeout(Duration timeout) {
        return new ListenSettings(bind, port, timeout, maxConnections, tls);
    }

    public ListenSettings withMaxConnections(int connections) {
        return new ListenSettings(bind, port, idleTimeout, connections, tls);
    }

    public ListenSettings withTls(TlsKeystore keystore) {
        return new ListenSettings(bind, port, idleTimeout, maxConnections, keystore);
    }

    /** {@code https} with a keystore, else {@code http}. */
    public String scheme() {
        return tls == null ? "http" : "https";
    }
}
