package dev.kclip.formats.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;

/**
 * Copies one tensor from a weight file to a device, straight from a memory mapping of its own byte region.
 *
 * <p>Java maps at most 2 GiB at a time and Llama checkpoints are far larger (one Llama-2-7B shard is about 10 GB),
 * so nothing maps a whole file: each tensor maps only its region, and a tensor over {@link #DEFAULT_CHUNK_BYTES} is
 * copied in row blocks that are joined on the device. The mapped pages are released once the copy is made.
 *
 * <p>Float16 and float32 regions go to the device as they are. Bfloat16 is widened to float32 in Java first:
 * DJL 0.33's PyTorch engine has no bfloat16 tensor type (its JNI type table ends at float16, and asking for
 * bfloat16 aborts the JVM), so weights computed in half precision use float16.
 */
public final class MappedTensors {

    /**
     * Largest block, in host bytes (bfloat16 counted widened), copied at once: a direct buffer holds at most 2 GiB,
     * and smaller blocks keep host memory low while a large model streams to the GPU.
     */
    public static final long DEFAULT_CHUNK_BYTES = 256L << 20;

    private MappedTensors() {
    }

    /**
     * Reads the little-endian tensor at {@code offset} of {@code file} into a new array of {@code manager}'s device.
     *
     * @param target the element type of the result (float32 or float16)
     */
    public static NDArray load(FileChannel file, long offset, Shape shape, StoredType stored, NDManager manager,
            DataType target) {
        return load(file, offset, shape, stored, manager, target, DEFAULT_CHUNK_BYTES);
    }

    /** {@link #load} with an explicit block size (tests use small ones to exercise block joining). */
    static NDArray load(FileChannel file, long offset, Shape shape, StoredType stored, NDManager manager,
            DataType target, long chunkBytes) {
        if (target != DataType.FLOAT32 && target != DataType.FLOAT16) {
            throw new IllegalArgumentException("weights load as float32 or float16, not " + target);
        }
        long rows = shape.dimension() == 0 ? 1 : shape.get(0);
        long rowElements = rows == 0 ? 0 : shape.size() / rows;
        long hostBytesPerElement = stored == StoredType.BF16 ? Float.BYTES : stored.bytes();
        if (rowElements * hostBytesPerElement > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of shape " + shape + " has rows over 2 GiB; cannot be copied");
        }
        if (shape.size() * hostBytesPerElement <= chunkBytes || rows <= 1) {
            return loadBlock(file, offset, shape, stored, manager, target);
        }
        long rowBytes = rowElements * stored.bytes();
        long rowsPerChunk = Math.max(1, chunkBytes / (rowElements * hostBytesPerElement));
        NDList blocks = new NDList();
        try (NDManager staging = manager.newSubManager()) {
            for (long row = 0; row < rows; row += rowsPerChunk) {
                long count = Math.min(rowsPerChunk, rows - row);
                Shape blockShape = new Shape(concatDims(count, shape));
                blocks.add(loadBlock(file, offset + row * rowBytes, blockShape, stored, staging, target));
            }
            NDArray joined = NDArrays.concat(blocks, 0);
            joined.attach(manager);
            return joined;
        }
    }

    private static long[] concatDims(long rows, Shape shape) {
        long[] dims = shape.getShape().clone();
        dims[0] = rows;
        return dims;
    }

    private static NDArray loadBlock(FileChannel file, long offset, Shape shape, StoredType stored, NDManager manager,
            DataType target) {
        long bytes = shape.size() * stored.bytes();
        MappedByteBuffer region;
        try {
            region = file.map(FileChannel.MapMode.READ_ONLY, offset, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + bytes + " bytes at offset " + offset + ": " + e.getMessage(), e);
        }
        region.order(ByteOrder.LITTLE_ENDIAN);
        try (NDManager staging = manager.newSubManager()) {
            ByteBuffer source = stored == StoredType.BF16 ? widenBfloat16(region, shape.size()) : region;
            NDArray raw = staging.create(source, shape, stored == StoredType.F16 ? DataType.FLOAT16 : DataType.FLOAT32);
            // On the CPU the raw array aliases the mapping or the widened buffer (PyTorch's from_blob), both of
            // which are freed later, and a same-type toType returns an alias too: clone it. On a GPU it is a copy.
            NDArray typed;
            if (raw.getDataType() != target) {
                typed = raw.toType(target, false);
            } else {
                typed = raw.getDevice().isGpu() ? raw : raw.duplicate();
            }
            typed.attach(manager);
            Reference.reachabilityFence(source);
            return typed;
        }
    }

    /** Bfloat16 is the upper half of a float32: shifting its bits left by 16 gives the exact float32 value. */
    private static ByteBuffer widenBfloat16(ByteBuffer region, long elements) {
        ShortBuffer halves = region.asShortBuffer();
        ByteBuffer widened = ByteBuffer.allocateDirect(Math.toIntExact(elements * Float.BYTES)).order(ByteOrder.nativeOrder());
        for (long i = 0; i < elements; i++) {
            widened.putInt((halves.get() & 0xFFFF) << 16);
        }
        widened.flip();
        return widened;
    }
}
