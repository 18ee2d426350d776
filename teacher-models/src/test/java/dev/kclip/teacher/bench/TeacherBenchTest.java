package dev.kclip.teacher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.llama.Llama;
import dev.kclip.teacher.llama.LlamaConfig;
import dev.kclip.teacher.llama.RopeLayout;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's accounting (not its speed, which is measured by {@code kclip teacher bench}). */
class TeacherBenchTest {

    @Test
    void llama2SevenBHasTheMatmulParametersOfTheRealModel() {
        // 32 × (4 × 4096² + 3 × 4096 × 11008); with the 2 × 32000 × 4096 embedding and classifier: 6.74 B
        assertEquals(6_476_005_376L, LlamaConfig.llama2_7b().matmulParameters());
    }

    @Test
    void forwardFlopsCountTwoFlopsPerMatmulParameterPerComputedToken() {
        LlamaConfig tiny = new LlamaConfig(64, 96, 2, 4, 2, 300, 64, 1e-5f, 10000f, RopeLayout.HALVES, true);
        try (Llama model = TeacherBench.randomLlama(tiny, Device.cpu(), 1)) {
            List<TeacherBench.Flops> rows = TeacherBench.forwardFlops(model, new int[] {1, 3}, 20, 1);
            assertEquals(2, rows.size());
            assertEquals(32, rows.get(0).seqLen(), "20 tokens are computed as 32 (lengths align to 16)");
            long params = 2L * (2 * 64 * 64 + 2 * 64 * 32 + 3 * 64 * 96);
            assertEquals(params, tiny.matmulParameters());
            assertEquals(2.0 * params * 3 * 32, rows.get(1).flopsPerForward());
            assertTrue(TeacherBench.flopsTable(tiny, rows, 100, "cpu()").contains("of peak"));
        }
    }

    @Test
    void throughputCountsEveryCaptionAndItsTokens() throws URISyntaxException {
        Path fixture = Path.of(TeacherBenchTest.class.getResource("/llama2c-260k/model.bin").toURI());
        List<String> captions = TeacherBench.captions(20, 3);
        assertEquals(20, captions.stream().distinct().count());
        try (TeacherModel teacher = TeacherModels.load("llama2c:" + fixture)) {
            List<TeacherBench.Throughput> rows = TeacherBench.throughput(teacher, captions, new int[] {1, 8});
            long tokens = captions.stream().mapToLong(c -> 1 + c.length()).sum();
            for (TeacherBench.Throughput row : rows) {
                assertEquals(20, row.captions());
                assertEquals(tokens, row.tokens(), "BOS + one byte token per character");
            }
            assertTrue(TeacherBench.throughputTable(rows).contains("vs batch 1"));
        }
    }
}
