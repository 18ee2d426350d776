package dev.kclip.teacher.torchscript;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a real TorchScript archive without Python: the layout {@code torch.jit.save} produces (a zip holding the
 * module's TorchScript source in {@code code/__torch__.py}, its attributes pickled in {@code data.pkl} with tensor
 * storages in {@code data/N}, {@code constants.pkl} and {@code version}). libtorch compiles the source when DJL loads
 * it, exactly as for an exported model. The module is a token-embedding encoder with one parameter,
 * {@code weight [vocab][dim]}.
 */
final class TorchScriptArchive {

    /** forward returns one vector per token, {@code [batch][length][dim]}, zero on padding. */
    static final String TOKEN_STATES = """
            states = torch.embedding(self.weight, input_ids)
            mask = torch.unsqueeze(torch.to(attention_mask, 6), -1)
            return torch.mul(states, mask)
        """;

    /** forward mean-pools itself and returns {@code [batch][dim]}. */
    static final String POOLED = """
            states = torch.embedding(self.weight, input_ids)
            mask = torch.unsqueeze(torch.to(attention_mask, 6), -1)
            summed = torch.sum(torch.mul(states, mask), [1])
            return torch.div(summed, torch.sum(mask, [1]))
        """;

    private TorchScriptArchive() {
    }

    /** Writes an encoder whose forward body is {@code body} (TorchScript statements, one a line) to {@code file}. */
    static void write(Path file, float[] weight, int vocab, int dim, String body) throws IOException {
        String code = "class Encoder(Module):\n"
                + "  __parameters__ = [\"weight\", ]\n"
                + "  __buffers__ = []\n"
                + "  weight : Tensor\n"
                + "  training : bool\n"
                + "  def forward(self: __torch__.Encoder,\n"
                + "    input_ids: Tensor,\n"
                + "    attention_mask: Tensor) -> Tensor:\n"
                + body.lines().map(String::strip).filter(line -> !line.isEmpty())
                        .map(line -> "    " + line + "\n").collect(Collectors.joining());
        ByteBuffer data = ByteBuffer.allocate(weight.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(weight);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            stored(zip, "archive/data.pkl", modulePickle(vocab, dim));
            stored(zip, "archive/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            stored(zip, "archive/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, "archive/data/0", data.array());
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * Pickle protocol 2 of {@code Encoder(training=True, weight=tensor)}: the weight is rebuilt by
     * {@code torch._utils._rebuild_tensor_v2} from persistent storage {@code data/0}.
     */
    private static byte[] modulePickle(int vocab, int dim) throws IOException {
        Pickle p = new Pickle();
        p.op(0x80).op(2);
        p.global("__torch__", "Encoder").op(')').op(0x81).op('}').op('(');
        p.string("training").op(0x88);
        p.string("weight");
        p.global("torch._utils", "_rebuild_tensor_v2").op('(');
        p.op('(').string("storage").global("torch", "FloatStorage").string("0").string("cpu").integer(vocab * dim)
                .op('t').op('Q');                                       // BINPERSID ('storage', FloatStorage, key, location, numel)
        p.integer(0);                                                   // storage offset
        p.op('(').integer(vocab).integer(dim).op('t');                  // size
        p.op('(').integer(dim).integer(1).op('t');                      // stride
        p.op(0x89);                                                     // requires_grad False
        p.global("collections", "OrderedDict").op(')').op('R');         // backward hooks
        p.op('t').op('R');
        p.op('u').op('b').op('.');
        return p.bytes();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }

    /** The few pickle opcodes a module with one tensor needs. */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int code) {
            out.write(code);
            return this;
        }

        Pickle global(String module, String name) throws IOException {
            out.write('c');
            write(out, (module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            write(out, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            write(out, b);
            return this;
        }

        Pickle integer(int v) throws IOException {
            out.write('J');
            write(out, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private static void write(OutputStream out, byte[] b) throws IOException {
            out.write(b);
        }
    }
}
