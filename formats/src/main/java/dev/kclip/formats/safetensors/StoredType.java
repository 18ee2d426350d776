package dev.kclip.formats.safetensors;

/**
 * Element types a safetensors file may store, with the names safetensors uses for them (the enum constant's name is
 * the {@code dtype}). Only the floating-point types model checkpoints ship in are read and written.
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
