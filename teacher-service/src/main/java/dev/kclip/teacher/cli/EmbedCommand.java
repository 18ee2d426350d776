package dev.kclip.teacher.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.common.cli.UserException;
import dev.kclip.teacher.TeacherEmbedding;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.llama.LlamaTeacher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Print a teacher's embeddings of captions, or of raw token ids, as JSON or a short summary.")
final class EmbedCommand implements Callable<Integer> {

    private static final int BATCH = 32;

    @Mixin
    ModelOptions model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "CAPTION", description = "A caption (repeat for several).")
        List<String> texts;

        @Option(names = "--file", paramLabel = "FILE", description = "Captions, one per line (blank lines skipped).")
        Path file;

        @Option(names = "--ids", paramLabel = "ID,ID,...", split = ",",
                description = "Llama teachers: token ids taken as the whole sequence (no tokenizer, no BOS added); "
                        + "mean pooling averages all of their positions.")
        long[] ids;
    }

    @Option(names = "--json", description = "One JSON object per line with the whole vector (default: a summary line each).")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try (TeacherModel teacher = TeacherModels.load(model.spec(), model.options())) {
            if (input.ids != null) {
                if (!(teacher instanceof LlamaTeacher llama)) {
                    throw new UserException("--ids needs a llama:DIR or llama2c:FILE teacher, not " + teacher.modelId());
                }
                print(out, teacher, Arrays.toString(input.ids), llama.embedIds(List.of(input.ids)).get(0));
            } else {
                List<String> captions = captions();
                for (int from = 0; from < captions.size(); from += BATCH) {
                    List<String> batch = captions.subList(from, Math.min(captions.size(), from + BATCH));
                    List<TeacherEmbedding> embeddings = teacher.embed(batch);
                    for (int i = 0; i < batch.size(); i++) {
                        print(out, teacher, batch.get(i), embeddings.get(i));
                    }
                }
            }
        }
        out.flush();
        return 0;
    }

    private List<String> captions() {
        if (input.texts != null) {
            return input.texts;
        }
        try {
            List<String> captions = new ArrayList<>();
            for (String line : Files.readAllLines(input.file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    captions.add(line);
                }
            }
            if (captions.isEmpty()) {
                throw new UserException(input.file + " has no captions");
            }
            return captions;
        } catch (IOException e) {
            throw new UserException("cannot read " + input.file + ": " + e.getMessage(), e);
        }
    }

    private void print(PrintStream out, TeacherModel teacher, String input, TeacherEmbedding e) {
        float[] v = e.vector();
        if (json) {
            ObjectNode node = new ObjectMapper().createObjectNode()
                    .put("model", teacher.modelId()).put("input", input).put("dim", v.length)
                    .put("tokens", e.tokenCount()).put("truncated", e.truncated());
            ArrayNode vector = node.putArray("embedding");
            for (float x : v) {
                vector.add(x);
            }
            out.println(node);
            return;
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < Math.min(6, v.length); i++) {
            head.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
        }
        out.printf(Locale.ROOT, "%s dim=%d tokens=%d%s |v|=%.4f [%s, ...]  %s%n", teacher.modelId(), v.length,
                e.tokenCount(), e.truncated() ? " truncated" : "", Math.sqrt(norm), head, input);
    }
}
