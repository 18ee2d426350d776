package dev.kclip.trainer.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Attribute zero-shot, the image evaluation of the paper on AWA2 and CUB: every image is scored against one prompt
 * per attribute ({@value #DEFAULT_PROMPT}, the phrase filled in), and each attribute's scores are compared with
 * which images have it.
 * <ul>
 *   <li>{@code attribute_auc}: ROC AUC per attribute (images with it vs without, the probability that a random
 *       image with it scores above a random one without, ties counting half), averaged over the attributes present
 *       in some images and absent in others; chance is 0.5;</li>
 *   <li>{@code attribute_precision_at_k}: per attribute, the share of the k highest-scoring images that have it,
 *       averaged; chance is {@code attribute_positive_rate}, the mean share of images that have an attribute.</li>
 * </ul>
 * Attributes come from pair fields whose value is a comma-separated list: AWA2's {@code predicates} (phrase: the
 * predicate, {@code "a photo of something furry"}), CUB's {@code has_<part>} kinds (phrase {@code "with <value>
 * <part>"}: {@code has_wing_color = blue} → {@code "a photo of something with blue wing color"}), or any other
 * field named (phrase: the value). Underscores become spaces.
 */
public final class AttributeZeroShot {

    public static final String DEFAULT_PROMPT = "a photo of something {attribute}";

    /** The fields read by default: AWA2's predicates and CUB's attribute kinds. */
    public static final List<String> DEFAULT_FIELDS = List.of("predicates", "has_*");

    private AttributeZeroShot() {
    }

    /**
     * One attribute.
     *
     * @param field the pair field it comes from
     * @param value its value in that field's list
     */
    public record Attribute(String field, String value) {

        /** The words put in the prompt. */
        public String phrase() {
            String v = value.replace('_', ' ').strip();
            if (field.startsWith("has_")) {
                return "with " + v + " " + field.substring(4).replace('_', ' ');
            }
            return v;
        }
    }

    /** Mean figures over the attributes scored. */
    public record Result(int attributes, double meanAuc, double meanPrecisionAtK, double positiveRate, int k) {

        /** The figures by metric name. */
        public Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("attribute_count", (double) attributes);
            m.put("attribute_auc", meanAuc);
            m.put("attribute_precision_at_" + k, meanPrecisionAtK);
            m.put("attribute_positive_rate", positiveRate);
            return m;
        }
    }

    /** Whether {@code field} matches one of {@code patterns} (a trailing {@code *} matches any rest). */
    public static boolean selected(String field, List<String> patterns) {
        for (String p : patterns) {
            if (p.endsWith("*") ? field.startsWith(p.substring(0, p.length() - 1)) : field.equals(p)) {
                return true;
            }
        }
        return false;
    }

    /** Every attribute the pairs name in the selected fields, sorted. */
    public static List<Attribute> vocabulary(List<Map<String, String>> pairs, List<String> fields) {
        Set<String> keys = new TreeSet<>();
        for (Map<String, String> attributes : pairs) {
            attributes.forEach((field, list) -> {
                if (selected(field, fields)) {
                    for (String v : values(list)) {
                        keys.add(field + "\u0000" + v);
                    }
                }
            });
        }
        return keys.stream().map(k -> new Attribute(k.substring(0, k.indexOf('\u0000')), k.substring(k.indexOf('\u0000') + 1))).toList();
    }

    /** {@code present[a][i]}: pair {@code i} has attribute {@code a}. */
    public static boolean[][] presence(List<Attribute> vocabulary, List<Map<String, String>> pairs) {
        boolean[][] present = new boolean[vocabulary.size()][pairs.size()];
        for (int a = 0; a < vocabulary.size(); a++) {
            Attribute attribute = vocabulary.get(a);
            for (int i = 0; i < pairs.size(); i++) {
                String list = pairs.get(i).get(attribute.field());
                present[a][i] = list != null && values(list).contains(attribute.value());
            }
        }
        return present;
    }

    /**
     * Scores every image against every attribute prompt (cosine) and averages AUC and precision@k over the
     * attributes that some images have and others lack; NaN figures when there is none.
     *
     * @param images image embeddings
     * @param prompts one text embedding per attribute
     * @param present {@code present[a][i]}
     */
    public static Result score(float[][] images, float[][] prompts, boolean[][] present, int k) {
        int kk = Math.min(k, images.length);
        double auc = 0;
        double precision = 0;
        double positives = 0;
        int scored = 0;
        for (int a = 0; a < prompts.length; a++) {
            double[] s = new double[images.length];
            int count = 0;
            for (int i = 0; i < images.length; i++) {
                s[i] = Similarity.cosine(images[i], prompts[a]);
                count += present[a][i] ? 1 : 0;
            }
            if (count == 0 || count == images.length) {
                continue;
            }
            auc += auc(s, present[a]);
            precision += precisionAtK(s, present[a], kk);
            positives += (double) count / images.length;
            scored++;
        }
        return new Result(scored, auc / scored, precision / scored, positives / scored, k);
    }

    /**
     * ROC AUC of {@code scores} for {@code positive}: the Mann-Whitney U of the positives over positives ×
     * negatives, ties counting half (mid-ranks); NaN without both classes.
     */
    public static double auc(double[] scores, boolean[] positive) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(scores[x], scores[y]));
        double rankSum = 0;
        long pos = 0;
        for (int from = 0; from < order.length; ) {
            int to = from;
            while (to + 1 < order.length && scores[order[to + 1]] == scores[order[from]]) {
                to++;
            }
            double midRank = (from + to) / 2.0 + 1;
            for (int j = from; j <= to; j++) {
                if (positive[order[j]]) {
                    rankSum += midRank;
                    pos++;
                }
            }
            from = to + 1;
        }
        long neg = scores.length - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** The share of the {@code k} highest scores that are positive (ties broken by the lower index). */
    public static double precisionAtK(double[] scores, boolean[] positive, int k) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            order.add(i);
        }
        order.sort((x, y) -> scores[x] != scores[y] ? Double.compare(scores[y], scores[x]) : Integer.compare(x, y));
        int hits = 0;
        for (int j = 0; j < k; j++) {
            hits += positive[order.get(j)] ? 1 : 0;
        }
        return k == 0 ? Double.NaN : (double) hits / k;
    }

    /** The prompt of {@code attribute} from a template containing {@code {attribute}}. */
    public static String prompt(String template, Attribute attribute) {
        return template.replace("{attribute}", attribute.phrase().toLowerCase(Locale.ROOT));
    }

    private static List<String> values(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(v -> !v.isEmpty()).toList();
    }
}
