package dev.kclip.teacher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.common.cli.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kclip teacher embed}, run through the same picocli entry point as the launcher. */
class EmbedCommandTest {

    private record Run(int exitCode, String out, String err) {
        /** The output lines starting with {@code prefix} (log lines may share stdout in a test JVM). */
        String only(String prefix) {
            return out.lines().filter(l -> l.startsWith(prefix)).collect(Collectors.joining("\n"));
        }
    }

    private static Path fixture() throws Exception {
        return Path.of(EmbedCommandTest.class.getResource("/llama2c-260k/model.bin").toURI());
    }

    @Test
    void idsModeReproducesLlama2cReferenceHiddenStatesMeanPooledAfterBos() throws Exception {
        JsonNode reference = new ObjectMapper().readTree(fixture().resolveSibling("reference.json").toFile());
        long[] ids = new long[32];
        for (int i = 0; i < 32; i++) {
            ids[i] = reference.get("greedy_from_bos_token_ids").get(i).asLong();
        }
        Run run = run("embed", "--model", "llama2c:" + fixture(), "--json",
                "--ids", LongStream.of(ids).mapToObj(Long::toString).collect(Collectors.joining(",")));
        assertEquals(0, run.exitCode(), run.err());
        JsonNode line = new ObjectMapper().readTree(run.only("{"));
        assertEquals("llama2c:model.bin#mean,no-bos", line.get("model").asText());
        assertEquals(64, line.get("dim").asInt());
        assertEquals(32, line.get("tokens").asInt(), "no BOS added: the ids are the whole sequence");
        JsonNode hidden = reference.get("final_norm_hidden_first32");
        for (int d = 0; d < 64; d++) {
            double mean = 0;
            for (int p = 1; p < 32; p++) { // the first id is BOS, left out of the mean
                mean += hidden.get(p).get(d).asDouble() / 31;
            }
            assertEquals(mean, line.get("embedding").get(d).asDouble(), 1e-4, "dimension " + d);
        }
    }

    @Test
    void lastPoolingOfIdsIsTheLastPositionsHiddenState() throws Exception {
        JsonNode reference = new ObjectMapper().readTree(fixture().resolveSibling("reference.json").toFile());
        String ids = Arrays.stream(new int[] {0, 1, 2, 3, 4})
                .mapToObj(i -> reference.get("greedy_from_bos_token_ids").get(i).asText()).collect(Collectors.joining(","));
        Run run = run("embed", "--model", "llama2c:" + fixture(), "--json", "--pooling", "last", "--ids", ids);
        assertEquals(0, run.exitCode(), run.err());
        JsonNode line = new ObjectMapper().readTree(run.only("{"));
        for (int d = 0; d < 64; d++) {
            assertEquals(reference.get("final_norm_hidden_first32").get(4).get(d).asDouble(),
                    line.get("embedding").get(d).asDouble(), 1e-4);
        }
        assertEquals("llama2c:model.bin#last", line.get("model").asText());
    }

    @Test
    void aFileOfCaptionsGivesOneSummaryLineEach(@TempDir Path dir) throws Exception {
        Path captions = dir.resolve("captions.txt");
        Files.writeString(captions, "a red apple\n\na dog on a bike\n");
        Run run = run("embed", "--model", "llama2c:" + fixture(), "--file", captions.toString());
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.only("llama2c:").split("\n");
        assertEquals(2, lines.length, run.out());
        assertTrue(lines[0].startsWith("llama2c:model.bin#mean,no-bos dim=64 tokens=12 ") && lines[0].endsWith("a red apple"), lines[0]);
        assertTrue(lines[1].contains("tokens=16 ") && lines[1].endsWith("a dog on a bike"), lines[1]);
    }

    @Test
    void idsWithATeacherWithoutTokenIdsIsAOneLineUserError() throws Exception {
        Run run = run("embed", "--model", "onnx-minilm", "--ids", "1,2,3");
        assertEquals(1, run.exitCode());
        assertEquals("kclip: error: --ids needs a llama:DIR or llama2c:FILE teacher, not onnx-minilm", run.err().strip());
    }

    @Test
    void anUnknownModelSpecIsAOneLineUserError() throws Exception {
        Run run = run("embed", "--model", "bert", "--text", "a dog");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().startsWith("kclip: error: unknown teacher model spec 'bert'"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
    }

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = Cli.execute(new TeacherCommand(), args);
            return new Run(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
