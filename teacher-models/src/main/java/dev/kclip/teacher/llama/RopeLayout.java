package dev.kclip.teacher.llama;

/**
 * Which dimensions of a head rotary position embedding rotates together. The two layouts compute the same model
 * once the query and key projections are permuted accordingly (Hugging Face's conversion script does that).
 */
public enum RopeLayout {
    /** Meta's original code and llama2.c: pairs (0,1), (2,3), ... of each head. */
    INTERLEAVED,
    /** Hugging Face transformers: dimension i with i + headSize/2 ("rotate half"). */
    HALVES
}
