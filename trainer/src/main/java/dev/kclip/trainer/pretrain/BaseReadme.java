package dev.kclip.trainer.pretrain;

import dev.kclip.formats.safetensors.StoredType;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The README a pretraining run writes beside its weights: data, command, hyper-parameters, figures, licences. */
final class BaseReadme {

    private BaseReadme() {
    }

    static String text(PretrainSettings s, Pretrainer.Result r, List<String> licences) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(s.out().toAbsolutePath().normalize().getFileName()).append(": a pretrained Knowledge-CLIP student\n\n");
        b.append("A `").append(s.model()).append("` student trained offline by `kclip train pretrain` on `")
                .append(s.dataset()).append("`, in Hugging Face CLIPModel layout (`config.json`, `model.safetensors` in ")
                .append(s.dtype() == StoredType.F16 ? "float16" : "float32")
                .append(", `tokenizer.json`, `tokenizer_config.json`, `preprocessor_config.json`). `kclip train|up|demo ")
                .append("--init DIR` starts a student from it; `W_e` and `C` are exported under `knowledge_clip.*` and start ")
                .append("fresh in a student initialised from it.\n\n");
        b.append("## Reproduce\n\n```sh\n./kclip train pretrain").append(arguments(s)).append("\n```\n\n");
        b.append("## Data\n\n");
        b.append(String.format(Locale.ROOT, "- %,d pairs trained on, %,d held out by id hash (%.0f%%) and evaluated at the end.%n",
                r.trainPairs(), r.heldOutPairs(), 100 * s.heldOutShare()));
        b.append(String.format(Locale.ROOT, "- Captions: each step takes one of each pair's variants at random: the name,"
                + " the name with its first keyword, \"a {%1$s} emoji: {name}\", \"an emoji of {subcategory} from {%1$s}\""
                + " (%2$,d distinct texts, each embedded once by the teacher).%n", s.labelField(), r.captions()));
        b.append(String.format(Locale.ROOT, "- Vocabulary: %,d of the %,d WordPiece tokens: those the captions and the"
                + " zero-shot prompts use, plus every single-character token and its `##` continuation, so unseen words"
                + " still tokenize into pieces.%n", r.vocabularySize(), r.fullVocabularySize()));
        b.append("- Images decoded once, augmented per step as the stream trainer does (random resized crop 0.6–1.0, flip 0.5).\n\n");
        b.append("## Training\n\n");
        b.append(String.format(Locale.ROOT, "%d steps of %d (%d epochs), AdamW peak rate %s after %d warm-up steps"
                + " (at most a tenth of the run), cosine decay to a tenth over the rest, seed %d, CPU float32."
                + " Losses: α = %s distillation (MSE to the L2-normalised `%s` vector of the caption), γ = %s contrastive,"
                + " β = 0: concepts are the stream's online K-means, which do not exist offline, and `C` starts fresh"
                + " from `--init` anyway.%n%n", r.steps(), s.batchSize(), r.epochs(), s.learningRate(),
                Math.min(s.warmupSteps(), r.steps() / 10), s.seed(), s.alpha(), r.teacherModelId(), s.gamma()));
        b.append("## Measured\n\n");
        b.append(String.format(Locale.ROOT, "Training took %.0f s. Mean losses, first → last epoch: distillation %.4f → %.4f,"
                + " contrastive %.3f → %.3f.%n%n", r.trainSeconds(), r.firstEpoch().get("embedding"),
                r.lastEpoch().get("embedding"), r.firstEpoch().get("contrastive"), r.lastEpoch().get("contrastive")));
        if (!r.heldOutAfter().isEmpty()) {
            b.append("Held-out pairs of the corpus (zero-shot over the `").append(s.labelField())
                    .append("` names with \"a photo of a {label}\"):\n\n| metric | initial weights | trained |\n|---|---|---|\n");
            for (Map.Entry<String, Double> e : r.heldOutAfter().entrySet()) {
                if (e.getKey().equals("concept_accuracy")) {
                    continue; // one concept offline: always right, says nothing
                }
                Double before = r.heldOutBefore().get(e.getKey());
                b.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", e.getKey(), format(before), format(e.getValue())));
            }
            b.append('\n');
        }
        b.append("## Licences\n\n");
        b.append("The weights are trained on the corpus' images; its licences and attribution travel with them: ");
        b.append(licences.isEmpty() ? "(no licence file found beside the corpus)" : "`" + String.join("`, `", licences) + "`");
        b.append(", and the corpus' README, which says whose work it is and under which terms, as `")
                .append(Pretrainer.DATASET_README).append("`. Keep them with any copy of the weights.\n");
        return b.toString();
    }

    private static String arguments(PretrainSettings s) {
        StringBuilder a = new StringBuilder();
        a.append(" --dataset ").append(s.dataset()).append(" --out ").append(s.out());
        a.append(" --model ").append(s.model()).append(" --epochs ").append(s.epochs());
        if (s.maxSteps() > 0) {
            a.append(" --max-steps ").append(s.maxSteps());
        }
        a.append(" --batch-size ").append(s.batchSize()).append(" --lr ").append(s.learningRate());
        a.append(" --warmup-steps ").append(s.warmupSteps()).append(" --alpha ").append(s.alpha());
        a.append(" --gamma ").append(s.gamma()).append(" --seed ").append(s.seed());
        a.append(" --teacher ").append(s.teacher()).append(" --held-out ").append(s.heldOutShare());
        a.append(" --label-field ").append(s.labelField()).append(" --dtype ").append(s.dtype());
        if (s.limit() > 0) {
            a.append(" --limit ").append(s.limit());
        }
        return a.toString();
    }

    private static String format(Double value) {
        if (value == null) {
            return "";
        }
        return value == Math.rint(value) && Math.abs(value) > 1 ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.3f", value);
    }
}
