package dev.kclip.trainer.eval;

import java.util.HashSet;
import java.util.Set;

/** How close the student's text space is to the teacher's. */
public final class TeacherAgreement {

    private TeacherAgreement() {
    }

    /** Mean cosine between {@code W_e(E_T(t))} and the teacher vector {@code L(t)}. */
    public static double meanCosine(float[][] predicted, float[][] teacher) {
        double sum = 0;
        for (int i = 0; i < predicted.length; i++) {
            sum += Similarity.cosine(predicted[i], teacher[i]);
        }
        return predicted.length == 0 ? 0 : sum / predicted.length;
    }

    /**
     * kNN-overlap@k: for each caption, its {@code k} nearest other captions (cosine) in the student's space and in
     * the teacher's; the mean share they have in common. 1 when the two spaces rank neighbours alike; about
     * k/(n−1) for unrelated spaces.
     */
    public static double knnOverlap(float[][] student, float[][] teacher, int k) {
        int n = student.length;
        if (n <= k) {
            throw new IllegalArgumentException("kNN-overlap@" + k + " needs more than " + k + " captions, got " + n);
        }
        float[][] s = Similarity.normalizedRows(student);
        float[][] t = Similarity.normalizedRows(teacher);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            Set<Integer> studentNeighbours = new HashSet<>();
            for (int j : Similarity.topK(Similarity.scores(s[i], s), k, i)) {
                studentNeighbours.add(j);
            }
            int common = 0;
            for (int j : Similarity.topK(Similarity.scores(t[i], t), k, i)) {
                if (studentNeighbours.contains(j)) {
                    common++;
                }
            }
            sum += (double) common / k;
        }
        return sum / n;
    }
}
