package dev.kclip.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. Only float32 ({@code F32}) tensors are written and
 * read, which is all the trainer stores.
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    /** A float32 tensor. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            if (count != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                        + " values, data has " + data.length);
            }
        }
    }

    /** What a file holds: tensors in file order, and the free-form string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    private Safetensors() {
    }

    /** Writes {@code tensors} in the given order, with {@code metadata} under {@code __metadata__}. */
    public static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", "F32");
            ArrayNode shape = entry.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = (long) e.getValue().data().length * Float.BYTES;
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        // pad the header with spaces so the data starts 8-byte aligned, as the reference writer does
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(headerBytes);
        for (Tensor t : tensors.values()) {
            ByteBuffer data = ByteBuffer.allocate(t.data().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            data.asFloatBuffer().put(t.data());
            out.write(data.array());
        }
        out.flush();
    }

    /**
     * Reads a whole file.
     *
     * @throws IOException when it is not safetensors, holds a dtype other than F32, or is truncated
     */
    public static Contents read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] lengthBytes = new byte[8];
        data.readFully(lengthBytes);
        long headerLength = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER) {
            throw new IOException("not a safetensors file: header length " + headerLength);
        }
        byte[] headerBytes = new byte[(int) headerLength];
        data.readFully(headerBytes);
        JsonNode header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).trim());
        Map<String, String> metadata = new LinkedHashMap<>();
        header.path("__metadata__").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        // tensors are stored one after the other; read them in offset order
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("__metadata__")) {
                entries.add(e);
            }
        }
        entries.sort(Comparator.comparingLong(e -> e.getValue().path("data_offsets").path(0).asLong()));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        long position = 0;
        for (Map.Entry<String, JsonNode> e : entries) {
            String name = e.getKey();
            JsonNode entry = e.getValue();
            if (!"F32".equals(entry.path("dtype").asText())) {
                throw new IOException("tensor " + name + " is " + entry.path("dtype").asText() + "; only F32 is read");
            }
            long begin = entry.path("data_offsets").path(0).asLong();
            long end = entry.path("data_offsets").path(1).asLong();
            if (begin != position || end < begin || (end - begin) % Float.BYTES != 0) {
                throw new IOException("tensor " + name + " has bad data offsets [" + begin + ", " + end + "]");
            }
            byte[] raw = new byte[Math.toIntExact(end - begin)];
            data.readFully(raw);
            float[] values = new float[raw.length / Float.BYTES];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            long[] shape = new long[entry.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = entry.path("shape").path(i).asLong();
            }
            tensors.put(name, new Tensor(shape, values));
            position = end;
        }
        return new Contents(tensors, metadata);
    }
}
