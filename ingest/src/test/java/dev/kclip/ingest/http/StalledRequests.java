package dev.kclip.ingest.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Clients that start a request and never finish it, as slow or hostile clients do. */
final class StalledRequests {

    private StalledRequests() {
    }

    /** A connection to {@code port} that has sent {@code partialRequest} and sends nothing more until closed. */
    static Socket open(int port, String partialRequest) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        OutputStream out = socket.getOutputStream();
        out.write(partialRequest.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }
}
