package dev.kclip.ingest.http;

import java.time.Duration;

/**
 * The HTTP intake's settings.
 *
 * @param port TCP port to listen on (0 for a free one)
 * @param token the bearer token clients must send ({@code Authorization: Bearer <token>}); never logged or printed
 * @param maxBodyBytes largest request body accepted; larger ones get 413 (default 16 MiB)
 * @param maxInFlightBytes record bytes that may wait for Kafka's acknowledgement at once; a request beyond it
 *        gets 429 with {@code Retry-After} (default 64 MiB)
 * @param ackTimeout how long a request waits for Kafka to acknowledge its pairs before answering 503 (default 30 s)
 * @param threads request-handling threads (default 4)
 */
public record HttpIntakeConfig(int port, String token, long maxBodyBytes, long maxInFlightBytes, Duration ackTimeout,
        int threads) {

    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_THREADS = 4;

    public HttpIntakeConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("HTTP port must be 0..65535, not " + port);
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

    /** Defaults for everything but the port and the token. */
    public static HttpIntakeConfig of(int port, String token) {
        return new HttpIntakeConfig(port, token, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT_BYTES,
                DEFAULT_ACK_TIMEOUT, DEFAULT_THREADS);
    }

    public HttpIntakeConfig withMaxBodyBytes(long bytes) {
        return new HttpIntakeConfig(port, token, bytes, maxInFlightBytes, ackTimeout, threads);
    }

    public HttpIntakeConfig withMaxInFlightBytes(long bytes) {
        return new HttpIntakeConfig(port, token, maxBodyBytes, bytes, ackTimeout, threads);
    }

    public HttpIntakeConfig withAckTimeout(Duration timeout) {
        return new HttpIntakeConfig(port, token, maxBodyBytes, maxInFlightBytes, timeout, threads);
    }

    /** Leaves the token out, so configurations can be logged. */
    @Override
    public String toString() {
        return "HttpIntakeConfig[port=" + port + ", token=(hidden), maxBodyBytes=" + maxBodyBytes + ", maxInFlightBytes="
                + maxInFlightBytes + ", ackTimeout=" + ackTimeout + ", threads=" + threads + "]";
    }
}
