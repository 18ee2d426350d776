package dev.kclip.teacher;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Device names as every kclip {@code --device} option spells them ({@code cpu}, {@code gpu}, {@code gpu:N}), for the
 * teacher and the trainer alike, and the check that a named GPU is really there.
 */
public final class Devices {

    /** How the options' help text spells the accepted names. */
    public static final String NAMES = "cpu|gpu|gpu:N";

    private Devices() {
    }

    /**
     * Parses a device name: {@code cpu}, {@code gpu} (the first GPU; {@code cuda} is accepted too) or {@code gpu:N}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Device parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.equals("gpu") || n.equals("cuda")) {
            return Device.gpu();
        }
        if (n.startsWith("gpu:")) {
            try {
                int id = Integer.parseInt(n.substring(4));
                if (id >= 0) {
                    return Device.gpu(id);
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("device must be " + NAMES + ", not '" + name + "'");
    }

    /** The name {@link #parse} reads back: {@code cpu}, or {@code gpu:N}. */
    public static String name(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }

    /**
     * Fails with a clear message when {@code device} is a GPU that PyTorch cannot see (a CPU-only build, no driver,
     * or a GPU index beyond the cards present), instead of PyTorch's page-long dispatcher error at the first tensor.
     */
    public static void requireAvailable(Device device) {
        if (device.isGpu()) {
            int gpus = Engine.getEngine("PyTorch").getGpuCount();
            if (device.getDeviceId() >= gpus) {
                throw new IllegalArgumentException("device " + name(device) + " is not available: PyTorch sees " + gpus
                        + " CUDA GPU(s) (GPU use needs the -Pgpu build with pytorch-native-cu124 and an NVIDIA driver)");
            }
        }
    }
}
