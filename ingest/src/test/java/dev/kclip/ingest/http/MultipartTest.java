package dev.kclip.ingest.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartTest {

    @Test
    void boundaryComesFromTheContentType() {
        assertEquals("abc", Multipart.boundary("multipart/form-data; boundary=abc"));
        assertEquals("a b", Multipart.boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""));
        assertNull(Multipart.boundary("application/json"));
        assertNull(Multipart.boundary(null));
    }

    @Test
    void splitsFileAndTextParts() {
        byte[] image = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', '-', '-', 0};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(ascii("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n"));
        body.writeBytes(image);
        body.writeBytes(ascii("\r\n--XyZ\r\ncontent-disposition: form-data; name=\"caption\"\r\n\r\n"));
        body.writeBytes("a café".getBytes(StandardCharsets.UTF_8));
        body.writeBytes(ascii("\r\n--XyZ--\r\n"));

        List<Multipart.Part> parts = Multipart.parse(body.toByteArray(), "XyZ");

        assertEquals(2, parts.size());
        assertEquals("image", parts.get(0).name());
        assertEquals("a.png", parts.get(0).filename());
        assertArrayEquals(image, parts.get(0).data(), "binary data with CR LF and dashes survives");
        assertEquals("caption", parts.get(1).name());
        assertNull(parts.get(1).filename());
        assertEquals("a café", new String(parts.get(1).data(), StandardCharsets.UTF_8));
    }

    @Test
    void truncatedOrForeignBodiesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Multipart.parse(ascii("no boundary here"), "XyZ"));
        assertThrows(IllegalArgumentException.class, () -> Multipart.parse(
                ascii("--XyZ\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\ncut off"), "XyZ"));
        assertThrows(IllegalArgumentException.class, () -> Multipart.parse(
                ascii("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--"), "XyZ"));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
