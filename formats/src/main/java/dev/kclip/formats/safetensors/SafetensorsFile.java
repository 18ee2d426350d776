package dev.kclip.formats.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A {@code .safetensors} file read with memory mapping: an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and {@code data_offsets} (relative to the end of the header), then the raw bytes.
 * Only the header is read on open; {@link #load} maps and copies one tensor at a time, so files of any size
 * (beyond Java's 2 GiB mapping limit) work.
 */
public final class SafetensorsFile implements AutoCloseable {

    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One tensor of the header.
     *
     * @param dtype the safetensors type name ({@code F32}, {@code BF16}, ...)
     * @param begin first byte, relative to the data section
     * @param end one past the last byte
     */
    public record Entry(String name, String dtype, Shape shape, long begin, long end) {
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Opens {@code path} and reads its header.
     *
     * @throws IllegalArgumentException when the file is not a valid safetensors file
     */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + path + ": " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
                throw new IllegalArgumentException(path + " is not a safetensors file (header length " + headerLength
                        + " in a file of " + size + " bytes)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            JsonNode root = JSON.readTree(header.array());
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException(path + ": safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            long dataSize = size - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : root.properties()) {
                if (field.getKey().equals("__metadata__")) {
                    field.getValue().properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.put(field.getKey(), entry(path, field.getKey(), field.getValue(), dataSize));
            }
            return new SafetensorsFile(path, channel, dataStart, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalArgumentException(path + ": unreadable safetensors header: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Entry entry(Path path, String name, JsonNode node, long dataSize) {
        JsonNode dtype = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || shapeNode == null || !shapeNode.isArray()
                || offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' needs dtype, shape and data_offsets");
        }
        long[] dims = new long[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shapeNode.get(i).asLong(-1);
            if (dims[i] < 0) {
                throw new IllegalArgumentException(path + ": tensor '" + name + "' has a negative dimension");
            }
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataSize) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' has data_offsets [" + begin + ", " + end
                    + "] outside the " + dataSize + "-byte data section (truncated file?)");
        }
        Shape shape = new Shape(dims);
        for (StoredType type : StoredType.values()) {
            if (type.name().equals(dtype.asText()) && shape.size() * type.bytes() != end - begin) {
                throw new IllegalArgumentException(path + ": tensor '" + name + "' of shape " + shape + " and dtype "
                        + type + " needs " + shape.size() * type.bytes() + " bytes but data_offsets span " + (end - begin));
            }
        }
        return new Entry(name, dtype.asText(), shape, begin, end);
    }

    /** The file this reads. */
    public Path path() {
        return path;
    }

    /** Tensor names, in header order. */
    public Set<String> names() {
        return entries.keySet();
    }

    /** The header entry of {@code name}, or null. */
    public Entry entry(String name) {
        return entries.get(name);
    }

    /** The header's {@code __metadata__} strings. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Copies tensor {@code name} to {@code manager}'s device as {@code target} (float32 or float16).
     *
     * @throws IllegalArgumentException when there is no such tensor or its dtype is not a supported float type
     */
    public NDArray load(String name, NDManager manager, DataType target) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException(path + " has no tensor '" + name + "'");
        }
        StoredType type;
        try {
            type = StoredType.fromSafetensors(entry.dtype());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "': " + e.getMessage(), e);
        }
        return MappedTensors.load(channel, dataStart + entry.begin(), entry.shape(), type, manager, target);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new IOException("unexpected end of file");
            }
            at += read;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a read-only channel: nothing to recover
        }
    }
}
