package dev.kclip.ingest.http;

import dev.kclip.common.http.ListenSettings;
import dev.kclip.schemas.Topics;
import java.time.Duration;

/**
 * The HTTP intake's settings.
 *
 * @param listen where it listens: bind address (default 127.0.0.1), port (0 for a free one), idle timeout (a client
 *        that sends nothing for this long loses its connection; default 30 s), connection limit (default 256), and
 *        the TLS keystore (default none: plain HTTP)
 * @param token the bearer token clients must send ({@code Authorization: Bearer <token>}); never logged or printed
 * @param maxBodyBytes largest request body accepted; larger ones get 413 (default 16 MiB)
 * @param maxInFlightBytes record bytes that may wait for Kafka's acknowledgement at once; a request beyond it
 *        gets 429 with {@code Retry-After} (default 64 MiB)
 * @param ackTimeout how long a request waits for Kafka to acknowledge its pairs before answering 503 (default 30 s)
 * @param threads request-handling threads (default 4)
 */
public record HttpIntakeConfig(ListenSettings listen, String token, long maxBodyBytes, long maxInFlightBytes,
        Duration ackTimeout, int threads) {

    public static final long DEFAULT_MAX_BODY_BYTES = Topics.MAX_MESSAGE_BYTES;
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 4L * Topics.MAX_MESSAGE_BYTES;
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_THREADS = 4;

    public HttpIntakeConfig {
        if (listen == null) {
            throw new IllegalArgumentException("the HTTP intake needs its listen settings (bind address and port)");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the HTTP intake needs a bearer token: give --http-token-file FILE or set "
                    + "KCLIP_INGEST_TOKEN");
        }
        if (maxBodyBytes < 1 || maxInFlightBytes < 1 || threads < 1) {
            throw new IllegalArgumentException("HTTP body limit, in-flight limit and threads must be positive");
        }
        if (ackTimeout == null || ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("HTTP acknowledgement timeout must be positive, not " + ackTimeout);
        }
    }

    /** Defaults for everything but the port and the token: plain HTTP on 127.0.0.1. */
    public static HttpIntakeConfig of(int port, String token) {
        return new HttpIntakeConfig(ListenSettings.loopback(port), token, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_MAX_IN_FLIGHT_BYTES, DEFAULT_ACK_TIMEOUT, DEFAULT_THREADS);
    }

    /** The port it is told to listen on (0: a free one). */
    public int port() {
        return listen.port();
    }

    public HttpIntakeConfig withListen(ListenSettings settings) {
        return new HttpIntakeConfig(settings, token, maxBodyBytes, maxInFlightBytes, ackTimeout, threads);
    }

    public HttpIntakeConfig withMaxBodyBytes(long bytes) {
        return new HttpIntakeConfig(listen, token, bytes, maxInFlightBytes, ackTimeout, threads);
    }

    public HttpIntakeConfig withMaxInFlightBytes(long bytes) {
        return new HttpIntakeConfig(listen, token, maxBodyBytes, bytes, ackTimeout, threads);
    }

    public HttpIntakeConfig withAckTimeout(Duration timeout) {
        return new HttpIntakeConfig(listen, token, maxBodyBytes, maxInFlightBytes, timeout, threads);
    }

    public HttpIntakeConfig withThreads(int count) {
        return new HttpIntakeConfig(listen, token, maxBodyBytes, maxInFlightBytes, ackTimeout, count);
    }

    /** Leaves the token out, so configurations can be logged. */
    @Override
    public String toString() {
        return "HttpIntakeConfig[listen=" + listen + ", token=(hidden), maxBodyBytes=" + maxBodyBytes
                + ", maxInFlightBytes=" + maxInFlightBytes + ", ackTimeout=" + ackTimeout + ", threads=" + threads + "]";
    }
}
