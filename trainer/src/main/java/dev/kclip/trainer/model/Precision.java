package dev.kclip.trainer.model;

/**
 * How the student computes. Weights are always kept (and saved, and updated) in float32.
 * <ul>
 *   <li>{@code FP32}: everything in float32 (CPU, and GPU when asked).</li>
 *   <li>{@code MIXED}: on a GPU, the forward and backward passes run in float16 on float16 copies of the float32
 *       master weights, with dynamic loss scaling; outputs are widened to float32 before the losses. (DJL's
 *       PyTorch engine neither casts inside the autograd graph nor supports bfloat16 casts, so PyTorch's
 *       autocast is rebuilt this way, as mixed-precision training was done before autocast.)</li>
 * </ul>
 */
public enum Precision {
    FP32,
    MIXED
}
