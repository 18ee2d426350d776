package dev.kclip.launcher.demo;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The few caption words that say what a concept is about: the most frequent ones, common words left out. */
final class ConceptWords {

    private static final Set<String> COMMON = Set.of("a", "an", "the", "of", "with", "and", "in", "on", "for", "to",
            "at", "or", "by");

    private ConceptWords() {
    }

    static String describe(List<String> captions, int words) {
        Map<String, Integer> counts = new HashMap<>();
        for (String caption : captions) {
            for (String word : caption.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                if (!word.isBlank() && !COMMON.contains(word)) {
                    counts.merge(word, 1, Integer::sum);
                }
            }
        }
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(words).map(Map.Entry::getKey).collect(Collectors.joining(", "));
    }
}
