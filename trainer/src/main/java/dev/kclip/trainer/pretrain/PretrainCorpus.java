package dev.kclip.trainer.pretrain;

import dev.kclip.datasets.read.Dataset;
import dev.kclip.datasets.read.ImageBytes;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.PairEntry;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.datasets.read.Skipped;
import dev.kclip.datasets.read.SkippedException;
import dev.kclip.schemas.PairIds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A pretraining corpus read whole: a JSON Lines file through the shared {@link JsonlReader} (images confined to its
 * folder), each entry's image read into memory and its caption variants made ({@link CorpusPair#variants}).
 *
 * @param pairs the usable pairs, in the file's order
 * @param skipped the entries left out, with why
 */
public record PretrainCorpus(List<CorpusPair> pairs, List<Skipped> skipped) {

    /** The field listing an entry's keywords (a JSON array, which the reader joins with commas). */
    public static final String KEYWORDS = "keywords";
    /** The field naming an entry's subcategory. */
    public static final String SUBCATEGORY = "subcategory";

    public PretrainCorpus {
        pairs = List.copyOf(pairs);
        skipped = List.copyOf(skipped);
    }

    /**
     * Reads {@code file} with {@code labelField} as the class; {@code limit} > 0 keeps the first {@code limit} usable
     * pairs.
     *
     * @throws IllegalArgumentException when the file cannot be read at all
     */
    public static PretrainCorpus read(Path file, String labelField, int limit) {
        Dataset dataset = new JsonlReader(ReaderOptions.DEFAULTS.withLabelField(labelField)).read(file);
        List<CorpusPair> pairs = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>(dataset.skipped());
        for (PairEntry entry : dataset.entries()) {
            if (limit > 0 && pairs.size() >= limit) {
                break;
            }
            try {
                byte[] image = ImageBytes.read(entry);
                String keywords = entry.attribute(KEYWORDS);
                List<String> captions = CorpusPair.variants(entry.caption(),
                        keywords == null ? List.of() : Arrays.asList(keywords.split(",")), entry.label(),
                        entry.attribute(SUBCATEGORY));
                pairs.add(new CorpusPair(PairIds.contentHash(image, entry.caption()), image, entry.label(), captions));
            } catch (SkippedException e) {
                skipped.add(e.skipped());
            }
        }
        return new PretrainCorpus(pairs, skipped);
    }
}
