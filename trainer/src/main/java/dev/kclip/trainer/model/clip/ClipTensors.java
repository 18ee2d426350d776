package dev.kclip.trainer.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.kclip.teacher.safetensors.SafetensorsFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of one checkpoint, over one or several safetensors files (shards), by name. float16 and bfloat16
 * tensors are widened to float32 when read.
 */
final class ClipTensors implements AutoCloseable {

    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName = new LinkedHashMap<>();

    ClipTensors(List<SafetensorsFile> files) {
        this.files = new ArrayList<>(files);
        for (SafetensorsFile file : files) {
            for (String name : file.names()) {
                byName.put(name, file);
            }
        }
    }

    Set<String> names() {
        return byName.keySet();
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The stored shape of {@code name}. */
    Shape shape(String name) {
        return file(name).entry(name).shape();
    }

    /** Tensor {@code name} as float32 in {@code manager}. */
    NDArray load(String name, NDManager manager) {
        return file(name).load(name, manager, DataType.FLOAT32);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile file = byName.get(name);
        if (file == null) {
            throw new IllegalArgumentException("the pretrained checkpoint has no tensor '" + name + "'");
        }
        return file;
    }

    @Override
    public void close() {
        for (SafetensorsFile file : files) {
            file.close();
        }
    }
}
