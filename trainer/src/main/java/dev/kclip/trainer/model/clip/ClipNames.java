package dev.kclip.trainer.model.clip;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each of the student's tower weights lives in a CLIP checkpoint: its Hugging Face {@code CLIPModel} name,
 * or its open_clip name and how it is stored there.
 */
public final class ClipNames {

    /** How an open_clip tensor becomes the student's weight. */
    enum Transform {
        /** stored as the student stores it */
        SAME,
        /** a projection stored {@code [in, out]}, the student's is {@code [out, in]} */
        TRANSPOSE,
        /** the query, key or value third of the fused {@code in_proj_weight} / {@code in_proj_bias} */
        QUERY, KEY, VALUE
    }

    /** An open_clip tensor and what to do with it. */
    record OpenClipSource(String name, Transform transform) {
    }

    /** Our name prefix → CLIPModel's, applied in order (first match). */
    private static final List<String[]> HUGGING_FACE = List.of(
            new String[] {"visual.class_embedding", "vision_model.embeddings.class_embedding"},
            new String[] {"visual.patch_embedding", "vision_model.embeddings.patch_embedding.weight"},
            new String[] {"visual.position_embedding", "vision_model.embeddings.position_embedding.weight"},
            new String[] {"visual.pre_layrnorm.", "vision_model.pre_layrnorm."},
            new String[] {"visual.layers.", "vision_model.encoder.layers."},
            new String[] {"visual.post_layernorm.", "vision_model.post_layernorm."},
            new String[] {"visual.projection.weight", "visual_projection.weight"},
            new String[] {"text.token_embedding", "text_model.embeddings.token_embedding.weight"},
            new String[] {"text.position_embedding", "text_model.embeddings.position_embedding.weight"},
            new String[] {"text.layers.", "text_model.encoder.layers."},
            new String[] {"text.final_layer_norm.", "text_model.final_layer_norm."},
            new String[] {"text.projection.weight", "text_projection.weight"},
            new String[] {"logit_scale", "logit_scale"});

    private static final Map<String, OpenClipSource> OPEN_CLIP_FIXED = Map.ofEntries(
            Map.entry("visual.class_embedding", new OpenClipSource("visual.class_embedding", Transform.SAME)),
            Map.entry("visual.patch_embedding", new OpenClipSource("visual.conv1.weight", Transform.SAME)),
            Map.entry("visual.position_embedding", new OpenClipSource("visual.positional_embedding", Transform.SAME)),
            Map.entry("visual.pre_layrnorm.weight", new OpenClipSource("visual.ln_pre.weight", Transform.SAME)),
            Map.entry("visual.pre_layrnorm.bias", new OpenClipSource("visual.ln_pre.bias", Transform.SAME)),
            Map.entry("visual.post_layernorm.weight", new OpenClipSource("visual.ln_post.weight", Transform.SAME)),
            Map.entry("visual.post_layernorm.bias", new OpenClipSource("visual.ln_post.bias", Transform.SAME)),
            Map.entry("visual.projection.weight", new OpenClipSource("visual.proj", Transform.TRANSPOSE)),
            Map.entry("text.token_embedding", new OpenClipSource("token_embedding.weight", Transform.SAME)),
            Map.entry("text.position_embedding", new OpenClipSource("positional_embedding", Transform.SAME)),
            Map.entry("text.final_layer_norm.weight", new OpenClipSource("ln_final.weight", Transform.SAME)),
            Map.entry("text.final_layer_norm.bias", new OpenClipSource("ln_final.bias", Transform.SAME)),
            Map.entry("text.projection.weight", new OpenClipSource("text_projection", Transform.TRANSPOSE)),
            Map.entry("logit_scale", new OpenClipSource("logit_scale", Transform.SAME)));

    private static final Pattern LAYER = Pattern.compile("(visual|text)\\.layers\\.(\\d+)\\.(.+)\\.(weight|bias)");

    private ClipNames() {
    }

    /** True for the weights a CLIP checkpoint holds: both towers and the temperature, not {@code W_e} or {@code C}. */
    public static boolean isClipWeight(String ours) {
        return ours.startsWith("visual.") || ours.startsWith("text.") || ours.equals("logit_scale");
    }

    /** The CLIPModel name of one of our weights; {@code W_e} and {@code C} go under {@code knowledge_clip.*}. */
    public static String huggingFace(String ours) {
        for (String[] rename : HUGGING_FACE) {
            if (ours.startsWith(rename[0])) {
                return rename[1] + ours.substring(rename[0].length());
            }
        }
        return "knowledge_clip." + ours;
    }

    /** Where one of our tower weights is in an open_clip checkpoint. */
    static OpenClipSource openClip(String ours) {
        OpenClipSource fixed = OPEN_CLIP_FIXED.get(ours);
        if (fixed != null) {
            return fixed;
        }
        Matcher m = LAYER.matcher(ours);
        if (!m.matches()) {
            throw new IllegalArgumentException("no open_clip name for weight " + ours);
        }
        String prefix = (m.group(1).equals("visual") ? "visual.transformer" : "transformer") + ".resblocks."
                + m.group(2) + ".";
        String kind = m.group(4);
        return switch (m.group(3)) {
            case "layer_norm1" -> new OpenClipSource(prefix + "ln_1." + kind, Transform.SAME);
            case "layer_norm2" -> new OpenClipSource(prefix + "ln_2." + kind, Transform.SAME);
            case "mlp.fc1" -> new OpenClipSource(prefix + "mlp.c_fc." + kind, Transform.SAME);
            case "mlp.fc2" -> new OpenClipSource(prefix + "mlp.c_proj." + kind, Transform.SAME);
            case "self_attn.out_proj" -> new OpenClipSource(prefix + "attn.out_proj." + kind, Transform.SAME);
            case "self_attn.q_proj" -> new OpenClipSource(prefix + "attn.in_proj_" + kind, Transform.QUERY);
            case "self_attn.k_proj" -> new OpenClipSource(prefix + "attn.in_proj_" + kind, Transform.KEY);
            case "self_attn.v_proj" -> new OpenClipSource(prefix + "attn.in_proj_" + kind, Transform.VALUE);
            default -> throw new IllegalArgumentException("no open_clip name for weight " + ours);
        };
    }
}
