package dev.kclip.ingest.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.BufferUtil;

/** {@code multipart/form-data} bodies (RFC 7578), read whole, parsed by Jetty's parser. */
final class Multipart {

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
        String boundary = MultiPart.extractBoundary(contentType);
        return boundary == null || boundary.isEmpty() ? null : boundary;
    }

    /**
     * Splits a body into its parts, all in memory (the body is already bounded).
     *
     * @throws IllegalArgumentException when the body is not well-formed multipart with this boundary
     */
    static List<Part> parse(byte[] body, String boundary) {
        MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
        parser.setMaxMemoryFileSize(body.length); // never spill a part to a file
        parser.setMaxLength(body.length);
        MultiPartFormData.Parts parts;
        try {
            parts = parser.parse(Content.Source.from(ByteBuffer.wrap(body))).join();
        } catch (CompletionException e) {
            throw new IllegalArgumentException("malformed multipart body: " + e.getCause().getMessage());
        }
        try (parts) {
            if (parts.size() == 0) {
                throw new IllegalArgumentException("multipart body does not contain its boundary");
            }
            List<Part> result = new ArrayList<>(parts.size());
            for (MultiPart.Part part : parts) {
                if (part.getName() == null) {
                    throw new IllegalArgumentException("malformed multipart body: a part has no name");
                }
                ByteBuffer data = Content.Source.asByteBuffer(part.createContentSource());
                result.add(new Part(part.getName(), part.getFileName(), BufferUtil.toArray(data)));
            }
            return result;
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed multipart body: " + e.getMessage());
        }
    }
}
