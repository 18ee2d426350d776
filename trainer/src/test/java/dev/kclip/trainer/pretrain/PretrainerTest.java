package dev.kclip.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.formats.safetensors.StoredType;
import dev.kclip.trainer.eval.EvalExample;
import dev.kclip.trainer.eval.Evaluator;
import dev.kclip.trainer.loop.TrainerConfig;
import dev.kclip.trainer.loop.TrainingSession;
import dev.kclip.trainer.loop.TrainingSettings;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kclip train pretrain} on a slice of emoji-styles writes a base that {@code --init} loads unchanged. */
class PretrainerTest {

    private static final Path CORPUS = Path.of("..", "datasets", "emoji-styles", "pairs.jsonl");

    @Test
    void aPretrainedBaseImportsToTheTrainedEmbeddings(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("base");
        PretrainSettings settings = new PretrainSettings(CORPUS, out, "tiny", 1, 3, 16, 1e-3, 100, 1.0, 1.0, 5,
                "onnx-minilm", 0.0, 64, StoredType.F32, "category");
        List<EvalExample> probes = PretrainCorpus.read(CORPUS, "category", 8).pairs().stream()
                .map(p -> new EvalExample(p.id(), p.captions().get(p.captions().size() - 1), p.image(), p.label(), null, -1))
                .toList();
        Evaluator.Embeddings trained;
        Pretrainer.Result result;
        try (Pretrainer.Trained run = new Pretrainer(settings, System.out).train()) {
            result = run.result();
            assertEquals(3, run.session().step());
            trained = new Evaluator(run.session().model(), run.session().tokenizer(), Evaluator.DEFAULT_PROMPT).embed(probes);
            run.write();
        }
        assertEquals(3, result.steps());
        assertEquals(64, result.trainPairs());
        assertTrue(result.vocabularySize() < result.fullVocabularySize() / 10, "vocabulary " + result.vocabularySize());
        assertTrue(Files.notExists(out.resolve(".pretrain-work")), "working folder removed");
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "preprocessor_config.json", "README.md", "pretrain.json", "DATASET.md", "LICENSE-openmoji-CC-BY-SA-4.0.txt",
                "LICENSE-emoji-datasource-MIT")) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals(result.vocabularySize(), config.path("text_config").path("vocab_size").asInt());
        String readme = Files.readString(out.resolve("README.md"));
        assertTrue(readme.contains("--limit 64") && readme.contains("--max-steps 3")
                && readme.contains("LICENSE-openmoji-CC-BY-SA-4.0.txt"), readme);

        ModelConfig imported = TrainerConfig.defaults(dir.resolve("checkpoints"))
                .withModel(ModelConfig.tiny().withData(384, 1)).withInit(out.toString()).model();
        assertEquals(result.vocabularySize(), imported.vocabSize());
        try (TrainingSession session = TrainingSession.create(imported, TrainingSettings.defaults(), Device.cpu(), Precision.FP32)) {
            Evaluator.Embeddings again = new Evaluator(session.model(), session.tokenizer(), Evaluator.DEFAULT_PROMPT).embed(probes);
            for (int i = 0; i < probes.size(); i++) {
                assertArrayEquals(trained.images()[i], again.images()[i], 1e-5f, "image " + i);
                assertArrayEquals(trained.texts()[i], again.texts()[i], 1e-5f, "text " + probes.get(i).caption());
            }
        }
    }
}
