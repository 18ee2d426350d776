package dev.kclip.launcher.pipeline;

import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.trainer.loop.TrainerConfig;
import java.nio.file.Path;
import java.time.Duration;

/** The pipeline {@code kclip up} runs, sized for tests that stream a few dozen pairs through it. */
final class SmallPipeline {

    private SmallPipeline() {
    }

    /**
     * State under {@code dir}, a free port for everything, the MiniLM teacher, K = 4 concepts labelling after 16
     * embeddings, Flink checkpoints every 2 s, the trainer from the pretrained base in batches of 8.
     */
    static PipelineSettings settings(Path dir) {
        PipelineSettings defaults = PipelineSettings.defaults(dir.resolve("state"), 0, null, "onnx-minilm")
                .withMetricsPort(0);
        ConceptJobConfig concepts = defaults.concepts();
        concepts = concepts.withConcepts(concepts.concepts()
                        .withKMeans(concepts.concepts().kmeans().withK(4)).withBootstrapSize(16).withBatchSize(16))
                // labels and dead letters become visible when a Flink checkpoint commits their transaction
                .withCheckpointing(Duration.ofSeconds(2), concepts.checkpointDir(), concepts.savepointDir());
        TrainerConfig trainer = defaults.trainer().withInit(Path.of("../models/emoji-base").toString())
                .withBatching(new TrainerConfig.Batching(8, Duration.ofSeconds(1)));
        return defaults.withConcepts(concepts).withTrainer(trainer);
    }
}
