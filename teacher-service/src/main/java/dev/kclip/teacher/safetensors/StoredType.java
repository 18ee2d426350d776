package dev.kclip.teacher.safetensors;

/**
 * Element types a weight file may store, with the names safetensors uses for them. Only the floating-point types
 * Llama checkpoints ship in are supported.
 */
public enum StoredType {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    StoredType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /**
     * The type safetensors names {@code dtype} ({@code F32}, {@code F16}, {@code BF16}).
     *
     * @throws IllegalArgumentException for any other type (integer or quantised tensors)
     */
    public static StoredType fromSafetensors(String dtype) {
        for (StoredType type : values()) {
            if (type.name().equals(dtype)) {
                return type;
            }
        }
        throw new IllegalArgumentException("tensor dtype " + dtype + " is not supported (expected F32, F16 or BF16)");
    }
}
