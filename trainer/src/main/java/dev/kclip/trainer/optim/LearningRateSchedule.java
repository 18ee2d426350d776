package dev.kclip.trainer.optim;

/**
 * The learning rate: a linear warm-up from 0 over the first {@code warmupSteps} updates, then a cosine decay from
 * {@code peak} to {@code floor · peak} over the next {@code decaySteps}, then constant at that floor. A stream has no
 * last step, so the decay ends on a floor rather than at zero: the student keeps adapting to new data, with the
 * smaller steps that fine-tuning a trained model wants. {@code decaySteps = 0} keeps the peak rate for ever.
 *
 * @param peak the rate after warm-up
 * @param warmupSteps updates of the linear warm-up
 * @param decaySteps updates of the cosine decay after warm-up; 0 for none
 * @param floor the final rate as a share of {@code peak}, in [0, 1]
 */
public record LearningRateSchedule(double peak, long warmupSteps, long decaySteps, double floor) {

    /** The final rate's share of the peak when a decay is asked for without one. */
    public static final double DEFAULT_FLOOR = 0.1;

    public LearningRateSchedule {
        if (!(peak > 0) || warmupSteps < 0 || decaySteps < 0 || !(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("learning rate must be positive, warm-up and decay non-negative, floor in [0, 1]");
        }
    }

    /** The rate of update number {@code step} (1 for the first update). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * step / warmupSteps;
        }
        long decayed = step - warmupSteps;
        if (decaySteps == 0 || decayed >= decaySteps) {
            return decaySteps == 0 ? peak : peak * floor;
        }
        double cosine = 0.5 * (1 + Math.cos(Math.PI * decayed / decaySteps));
        return peak * (floor + (1 - floor) * cosine);
    }
}
