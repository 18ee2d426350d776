package dev.kclip.trainer.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One pair of a pretraining corpus with the captions it is trained under. The corpus' fields give several true
 * descriptions of the same image; training on a random one each epoch is data augmentation of the text side
 * (as image augmentation is of the image side), and the category and subcategory names teach the text encoder the
 * words that zero-shot prompts are made of.
 *
 * @param id the pair id (content hash of image and caption, as ingest gives it)
 * @param image the image file's bytes
 * @param label the class name zero-shot evaluation uses (the category), or null
 * @param captions the caption variants, the corpus' caption first, without duplicates
 */
public record CorpusPair(String id, byte[] image, String label, List<String> captions) {

    public CorpusPair {
        captions = List.copyOf(captions);
        if (captions.isEmpty()) {
            throw new IllegalArgumentException("pair " + id + " has no caption");
        }
    }

    /**
     * The caption variants of one corpus entry: the name ({@code "red apple"}); the name with its first keyword that
     * is not the name itself ({@code "red apple, fruit"}); the name under its category ({@code "a food & drink emoji:
     * red apple"}); the subcategory within the category ({@code "an emoji of fruit from food & drink"}). Missing
     * fields leave their variant out.
     */
    public static List<String> variants(String caption, List<String> keywords, String category, String subcategory) {
        List<String> variants = new ArrayList<>();
        variants.add(caption);
        keywords.stream().map(String::strip).filter(k -> !k.isEmpty() && !k.equalsIgnoreCase(caption)).findFirst()
                .ifPresent(k -> variants.add(caption + ", " + k));
        if (category != null && !category.isBlank()) {
            String group = category.toLowerCase(Locale.ROOT);
            variants.add("a " + group + " emoji: " + caption);
            if (subcategory != null && !subcategory.isBlank()) {
                variants.add("an emoji of " + subcategory.replace('-', ' ') + " from " + group);
            }
        }
        return variants.stream().distinct().toList();
    }
}
