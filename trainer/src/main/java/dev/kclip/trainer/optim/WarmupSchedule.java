package dev.kclip.trainer.optim;

/**
 * The learning rate of a continuous run: a linear warm-up from 0 over the first {@code warmupSteps} updates, then
 * constant (a stream has no last step to decay towards).
 */
public record WarmupSchedule(double peak, long warmupSteps) {

    public WarmupSchedule {
        if (peak <= 0 || warmupSteps < 0) {
            throw new IllegalArgumentException("learning rate must be positive and warm-up non-negative");
        }
    }

    /** The rate of update number {@code step} (1 for the first update). */
    public double at(long step) {
        if (warmupSteps == 0 || step >= warmupSteps) {
            return peak;
        }
        return peak * step / warmupSteps;
    }
}
