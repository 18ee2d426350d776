package dev.kclip.teacher.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.kclip.formats.safetensors.MappedTensors;
import dev.kclip.formats.safetensors.StoredType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a llama2.c checkpoint ({@code run.c}'s "legacy" format, float32 little-endian): a header of 7 int32
 * (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size means the classifier
 * is stored separately at the end), then the weights grouped by kind across layers. RoPE is Meta's interleaved
 * layout, norms use ε = 1e-5, θ = 10000.
 */
public final class Llama2cCheckpoint {

    private static final int HEADER_BYTES = 7 * Integer.BYTES;
    /** "ak42": llama2.c's versioned export (export.py --version 1 or 2), which run.c does not read either. */
    private static final int VERSIONED_MAGIC = 0x616b3432;

    private Llama2cCheckpoint() {
    }

    /**
     * Reads the 7-int header.
     *
     * @throws IllegalArgumentException when the file is not a legacy llama2.c checkpoint
     */
    public static LlamaConfig readConfig(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readConfig(channel, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads the checkpoint onto {@code device} with weights of {@code dataType} (float32 or float16).
     *
     * @throws IllegalArgumentException when the file is not a legacy llama2.c checkpoint or is truncated
     */
    public static Llama load(Path file, Device device, DataType dataType) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            LlamaConfig config = readConfig(channel, file);
            long expected = HEADER_BYTES + 4L * floatCount(config);
            if (channel.size() < expected) {
                throw new IllegalArgumentException(file + " holds " + channel.size() + " bytes but its header describes "
                        + expected + " (truncated download?)");
            }
            NDManager manager = NDManager.newBaseManager(device, "PyTorch");
            try {
                return Llama.of(config, readWeights(channel, config, manager, dataType), manager);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static LlamaConfig readConfig(FileChannel channel, Path file) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (header.hasRemaining()) {
            if (channel.read(header, header.position()) < 0) {
                throw new IllegalArgumentException(file + " is too short for a llama2.c header");
            }
        }
        header.flip();
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) {
            h[i] = header.getInt();
        }
        if (h[0] == VERSIONED_MAGIC) {
            throw new IllegalArgumentException(file + " is a versioned llama2.c export (magic ak42); export it with "
                    + "export.py --version 0 (the legacy format run.c reads)");
        }
        try {
            return new LlamaConfig(h[0], h[1], h[2], h[3], h[4], Math.abs(h[5]), h[6], 1e-5f, 10000f,
                    RopeLayout.INTERLEAVED, h[5] > 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " is not a llama2.c checkpoint: " + e.getMessage(), e);
        }
    }

    private static long floatCount(LlamaConfig c) {
        long dim = c.dim();
        long layers = c.nLayers();
        long count = c.vocabSize() * dim                               // token embedding
                + layers * dim                                         // rms_att
                + layers * dim * dim + 2 * layers * c.kvDim() * dim    // wq, wk, wv
                + layers * dim * dim                                   // wo
                + layers * dim                                         // rms_ffn
                + 3 * layers * c.hiddenDim() * dim                     // w1, w2, w3
                + dim                                                  // rms_final
                + (long) c.maxSeqLen() * c.headSize();                 // freq_cis_real + freq_cis_imag (unused)
        return c.tiedOutput() ? count : count + c.vocabSize() * dim;
    }

    private static LlamaWeights readWeights(FileChannel channel, LlamaConfig c, NDManager manager, DataType type) {
        Reader in = new Reader(channel, manager, type);
        int layers = c.nLayers();
        NDArray tokenEmbedding = in.next(c.vocabSize(), c.dim());
        List<NDArray> rmsAtt = in.perLayer(layers, c.dim());
        List<NDArray> wq = in.perLayer(layers, c.dim(), c.dim());
        List<NDArray> wk = in.perLayer(layers, c.kvDim(), c.dim());
        List<NDArray> wv = in.perLayer(layers, c.kvDim(), c.dim());
        List<NDArray> wo = in.perLayer(layers, c.dim(), c.dim());
        List<NDArray> rmsFfn = in.perLayer(layers, c.dim());
        List<NDArray> w1 = in.perLayer(layers, c.hiddenDim(), c.dim());
        List<NDArray> w2 = in.perLayer(layers, c.dim(), c.hiddenDim());
        List<NDArray> w3 = in.perLayer(layers, c.hiddenDim(), c.dim());
        NDArray rmsFinal = in.next(c.dim());
        in.skip((long) c.maxSeqLen() * c.headSize());                  // precomputed RoPE tables: computed instead
        NDArray output = c.tiedOutput() ? tokenEmbedding : in.next(c.vocabSize(), c.dim());
        List<LlamaWeights.Layer> blocks = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            blocks.add(new LlamaWeights.Layer(rmsAtt.get(l), wq.get(l), wk.get(l), wv.get(l), wo.get(l),
                    rmsFfn.get(l), w1.get(l), w2.get(l), w3.get(l)));
        }
        return new LlamaWeights(tokenEmbedding, blocks, rmsFinal, output);
    }

    /** Reads consecutive float32 tensors from the file. */
    private static final class Reader {
        private final FileChannel channel;
        private final NDManager manager;
        private final DataType type;
        private long offset = HEADER_BYTES;

        Reader(FileChannel channel, NDManager manager, DataType type) {
            this.channel = channel;
            this.manager = manager;
            this.type = type;
        }

        NDArray next(long... dims) {
            Shape shape = new Shape(dims);
            NDArray array = MappedTensors.load(channel, offset, shape, StoredType.F32, manager, type);
            offset += shape.size() * Float.BYTES;
            return array;
        }

        List<NDArray> perLayer(int layers, long... dims) {
            List<NDArray> arrays = new ArrayList<>(layers);
            for (int l = 0; l < layers; l++) {
                arrays.add(next(dims));
            }
            return arrays;
        }

        void skip(long floats) {
            offset += floats * Float.BYTES;
        }
    }
}
