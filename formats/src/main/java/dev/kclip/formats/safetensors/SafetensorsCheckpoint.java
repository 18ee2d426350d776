package dev.kclip.formats.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.formats.files.FileNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors weights of a Hugging Face model directory, whatever the model: one {@code model.safetensors}, or
 * shards listed by {@code model.safetensors.index.json} (its {@code weight_map}: tensor name → shard file name).
 * Shards are opened on first use and tensors copied one at a time with {@link SafetensorsFile}, so a model of any
 * size needs no more host memory than its largest tensor. Which names a model needs is its loader's business.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {

    /** The weights of an unsharded model. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** The shard index of a sharded model. */
    public static final String INDEX = "model.safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Path> shardOf;
    private final Map<Path, SafetensorsFile> open = new LinkedHashMap<>();

    private SafetensorsCheckpoint(Map<String, Path> shardOf) {
        this.shardOf = Collections.unmodifiableMap(shardOf);
    }

    /**
     * Reads the tensor names of {@code dir}: from its index when there is one, else from the header of its
     * {@code model.safetensors}.
     *
     * @throws IllegalArgumentException when the directory has neither file, or the index is not valid (see
     *     {@link #readIndex})
     */
    public static SafetensorsCheckpoint open(Path dir) {
        if (Files.isRegularFile(dir.resolve(INDEX))) {
            return new SafetensorsCheckpoint(readIndex(dir));
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            throw new IllegalArgumentException(dir + " has neither " + INDEX + " nor " + SINGLE_FILE
                    + " (only safetensors weights are read; convert pytorch_model.bin with transformers' save_pretrained)");
        }
        return openFile(single);
    }

    /** The weights of one safetensors file of any name (open_clip's {@code open_clip_model.safetensors}, say). */
    public static SafetensorsCheckpoint openFile(Path file) {
        Map<String, Path> map = new LinkedHashMap<>();
        try (SafetensorsFile opened = SafetensorsFile.open(file)) {
            opened.names().forEach(name -> map.put(name, file));
        }
        return new SafetensorsCheckpoint(map);
    }

    /**
     * The {@code weight_map} of {@code dir/model.safetensors.index.json}: tensor name → shard path in {@code dir}.
     * Every shard must be named by a plain file name: an index naming {@code ../x}, an absolute path or a
     * subdirectory is refused, so a downloaded index can never make the loader open files outside the model.
     *
     * @throws IllegalArgumentException when the index is not JSON, has no {@code weight_map} object, or names a
     *     shard that is not a plain file name
     */
    public static Map<String, Path> readIndex(Path dir) {
        Path index = dir.resolve(INDEX);
        JsonNode weightMap;
        try {
            weightMap = JSON.readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new IllegalArgumentException(index + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!weightMap.isObject()) {
            throw new IllegalArgumentException(index + " has no weight_map object");
        }
        Map<String, Path> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            String shard = e.getValue().asText();
            if (!FileNames.isPlain(shard)) {
                throw new IllegalArgumentException(index + " names shard '" + shard + "' for tensor " + e.getKey()
                        + ": a shard must be a plain file name in " + dir + " (no directories, no '..', no absolute path)");
            }
            map.put(e.getKey(), dir.resolve(shard));
        }
        return map;
    }

    /** Every tensor name, in index (or header) order. */
    public Set<String> names() {
        return shardOf.keySet();
    }

    /** Whether the weights hold tensor {@code name}. */
    public boolean contains(String name) {
        return shardOf.containsKey(name);
    }

    /**
     * The stored shape of tensor {@code name}, read from its shard's header.
     *
     * @throws IllegalArgumentException when no shard holds {@code name}
     */
    public Shape shape(String name) {
        return shard(name).entry(name).shape();
    }

    /**
     * Copies tensor {@code name} to {@code manager}'s device as {@code target} (float32 or float16), opening its
     * shard on first use.
     *
     * @throws IllegalArgumentException when no shard holds {@code name}, or the shard is not valid
     * @throws UncheckedIOException when the shard the index names is missing
     */
    public NDArray load(String name, NDManager manager, DataType target) {
        return shard(name).load(name, manager, target);
    }

    private SafetensorsFile shard(String name) {
        Path shard = shardOf.get(name);
        if (shard == null) {
            throw new IllegalArgumentException("the model's weights lack tensor " + name);
        }
        if (!Files.isRegularFile(shard)) {
            throw new UncheckedIOException(new IOException("shard " + shard + " (holding " + name + ") is missing"));
        }
        return open.computeIfAbsent(shard, SafetensorsFile::open);
    }

    /** Closes the shards opened so far. */
    @Override
    public void close() {
        open.values().forEach(SafetensorsFile::close);
        open.clear();
    }
}
