package dev.kclip.ingest.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A small parser for {@code multipart/form-data} bodies (RFC 7578), enough for a file and a few text fields. */
final class Multipart {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

    /**
     * One part of the body.
     *
     * @param name the form field name
     * @param filename the file name for file parts, else null
     * @param data the part's bytes
     */
    record Part(String name, String filename, byte[] data) {
    }

    private Multipart() {
    }

    /** The boundary of a {@code multipart/form-data} content type, or null when it is not one. */
    static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        String boundary = parameters(contentType).get("boundary");
        return boundary == null || boundary.isEmpty() ? null : boundary;
    }

    /**
     * Splits a body into its parts.
     *
     * @throws IllegalArgumentException when the body is not well-formed multipart with this boundary
     */
    static List<Part> parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] nextDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) {
            throw new IllegalArgumentException("multipart body does not contain its boundary");
        }
        List<Part> parts = new ArrayList<>();
        pos += delimiter.length;
        while (true) {
            if (startsWith(body, pos, new byte[] {'-', '-'})) {
                return parts; // closing delimiter
            }
            if (!startsWith(body, pos, CRLF)) {
                throw new IllegalArgumentException("malformed multipart body: no line break after a boundary");
            }
            int headersStart = pos + CRLF.length;
            int headersEnd = indexOf(body, HEADER_END, headersStart);
            if (headersEnd < 0) {
                throw new IllegalArgumentException("malformed multipart body: part headers do not end");
            }
            int dataStart = headersEnd + HEADER_END.length;
            int dataEnd = indexOf(body, nextDelimiter, dataStart);
            if (dataEnd < 0) {
                throw new IllegalArgumentException("malformed multipart body: last part is not closed (truncated?)");
            }
            Map<String, String> disposition = contentDisposition(
                    new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8));
            String name = disposition.get("name");
            if (name == null) {
                throw new IllegalArgumentException("malformed multipart body: a part has no name");
            }
            byte[] data = new byte[dataEnd - dataStart];
            System.arraycopy(body, dataStart, data, 0, data.length);
            parts.add(new Part(name, disposition.get("filename"), data));
            pos = dataEnd + nextDelimiter.length;
        }
    }

    private static Map<String, String> contentDisposition(String headers) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Disposition")) {
                return parameters(line.substring(colon + 1));
            }
        }
        return Map.of();
    }

    /** {@code type; a=1; b="x y"} → {a=1, b=x y}; keys lower-cased. */
    private static Map<String, String> parameters(String header) {
        Map<String, String> parameters = new HashMap<>();
        for (String item : header.split(";")) {
            int equals = item.indexOf('=');
            if (equals > 0) {
                String value = item.substring(equals + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                parameters.put(item.substring(0, equals).trim().toLowerCase(Locale.ROOT), value);
            }
        }
        return parameters;
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
        if (offset < 0 || offset + prefix.length > bytes.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, byte[] pattern, int from) {
        byte first = pattern[0];
        for (int i = from, last = bytes.length - pattern.length; i <= last; i++) {
            if (bytes[i] == first && startsWith(bytes, i, pattern)) {
                return i;
            }
        }
        return -1;
    }
}
