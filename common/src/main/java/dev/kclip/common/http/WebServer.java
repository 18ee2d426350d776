package dev.kclip.common.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * A Jetty server with one connector as {@link ListenSettings} describe it: bound to one address, HTTPS when a
 * keystore is given, connections closed after the idle timeout, at most so many connections at once. Jetty reads
 * request headers without holding a thread, so a client that never finishes them holds only its connection; a
 * handler that reads bodies as they arrive (demand, not a blocking stream) holds no thread for a slow body either.
 */
public final class WebServer implements AutoCloseable {

    /** Jetty's own threads besides the handlers': the connector's acceptor and selector. */
    private static final int ACCEPTORS = 1;
    private static final int SELECTORS = 1;
    /** How long stopping waits for requests in progress to be answered. */
    private static final long STOP_TIMEOUT_MS = 1_000;

    private final Server server;
    private final ServerConnector connector;
    private final NetworkConnectionLimit limit;
    private final ListenSettings settings;

    private WebServer(Server server, ServerConnector connector, NetworkConnectionLimit limit, ListenSettings settings) {
        this.server = server;
        this.connector = connector;
        this.limit = limit;
        this.settings = settings;
    }

    /**
     * Starts serving {@code handler}.
     *
     * @param name prefix of the server's thread names
     * @param threads how many requests are handled at once
     * @throws UncheckedIOException when the address cannot be bound (port taken, no such interface)
     */
    public static WebServer start(String name, ListenSettings settings, int threads, Handler handler) {
        if (threads < 1) {
            throw new IllegalArgumentException("a server needs at least one handler thread, not " + threads);
        }
        QueuedThreadPool pool = new QueuedThreadPool(threads + ACCEPTORS + SELECTORS, 1);
        pool.setName(name);
        pool.setDaemon(true);
        pool.setReservedThreads(0);
        Server server = new Server(pool, new ScheduledExecutorScheduler(name + "-scheduler", true), null);
        server.setStopTimeout(STOP_TIMEOUT_MS);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        HttpConnectionFactory plain = new HttpConnectionFactory(http);
        ConnectionFactory[] factories = settings.tls() == null ? new ConnectionFactory[] {plain}
                : new ConnectionFactory[] {new SslConnectionFactory(sslContext(settings.tls()), plain.getProtocol()), plain};
        ServerConnector connector = new ServerConnector(server, ACCEPTORS, SELECTORS, factories);
        connector.setHost(settings.bind());
        connector.setPort(settings.port());
        connector.setIdleTimeout(settings.idleTimeout().toMillis());
        server.addConnector(connector);
        NetworkConnectionLimit limit = new NetworkConnectionLimit(settings.maxConnections(), connector);
        server.addBean(limit);
        server.setHandler(handler);
        try {
            server.start();
        } catch (Exception e) {
            stop(server);
            throw new UncheckedIOException("cannot serve " + name + " on " + settings.bind() + ":" + settings.port() + ": "
                    + e.getMessage(), e instanceof IOException io ? io : new IOException(e));
        }
        return new WebServer(server, connector, limit, settings);
    }

    private static SslContextFactory.Server sslContext(TlsKeystore keystore) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(keystore.file().toString());
        ssl.setKeyStorePassword(keystore.password());
        return ssl;
    }

    /** The address and port it is bound to. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return settings.scheme();
    }

    /** Connections open now (accepted and not yet closed). */
    public int openConnections() {
        return limit.getNetworkConnectionCount();
    }

    /** Whether it accepts new connections now: false while the connection limit is reached. */
    public boolean accepting() {
        return connector.isAccepting();
    }

    @Override
    public void close() {
        stop(server);
    }

    private static void stop(Server server) {
        try {
            server.stop();
        } catch (TimeoutException e) {
            // connections still open after the stop timeout were closed: stopped all the same
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the HTTP server: " + e.getMessage(), e);
        }
    }
}
