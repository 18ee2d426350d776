package dev.kclip.trainer.model.clip;

/** The on-disk layouts of a pretrained CLIP that {@link ClipImport} reads. */
public enum ClipLayout {
    /**
     * Hugging Face {@code CLIPModel}: {@code config.json} and {@code model.safetensors}, or shards listed in
     * {@code model.safetensors.index.json}; names {@code vision_model.*}, {@code text_model.*}, ...
     */
    HUGGING_FACE,
    /**
     * open_clip: one {@code *.safetensors} with {@code visual.*}, {@code transformer.resblocks.*}, ... (fused
     * attention in-projection, {@code [in, out]} projections); shapes from the tensors, heads and activation from
     * {@code open_clip_config.json} when present.
     */
    OPEN_CLIP
}
