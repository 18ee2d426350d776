package dev.kclip.datasets.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a dataset may take its images from: only files under the dataset's folder, unless the user allowed more
 * ({@link ReaderOptions#allowOutsideRoot()}), and none larger than {@link ReaderOptions#MAX_IMAGE_BYTES}. Checked
 * when an entry is listed, so an entry that would escape is skipped with its reason, never read.
 */
final class ImageLocations {

    private ImageLocations() {
    }

    /**
     * Why {@code image} may not be used as an image of the dataset rooted at {@code root}, or null when it may. A
     * path leaving the folder is refused before the file system is asked about it, so a dataset cannot probe what
     * lies outside.
     */
    static Skipped refusal(Path root, Path image, ReaderOptions options, String location) {
        Path base = root.toAbsolutePath().normalize();
        if (!options.allowOutsideRoot() && !image.toAbsolutePath().normalize().startsWith(base)) {
            return new Skipped(location, SkipReason.OUTSIDE_ROOT, "image " + image + " is outside the dataset folder "
                    + base + " (pass --allow-outside-root to read it)");
        }
        if (!Files.isRegularFile(image)) {
            return new Skipped(location, SkipReason.IMAGE_NOT_FOUND, "image not found: " + image);
        }
        if (!options.allowOutsideRoot()) {
            try {
                Path real = image.toRealPath();
                Path realBase = base.toRealPath();
                if (!real.startsWith(realBase)) {
                    return new Skipped(location, SkipReason.OUTSIDE_ROOT, "image " + image + " resolves to " + real
                            + ", outside the dataset folder " + realBase + " (pass --allow-outside-root to read it)");
                }
            } catch (IOException e) {
                return new Skipped(location, SkipReason.IMAGE_UNREADABLE, "cannot resolve " + image + ": " + e.getMessage());
            }
        }
        return tooLarge(image, location);
    }

    /** Why {@code image} is too large to be read, or null when it is not. */
    static Skipped tooLarge(Path image, String location) {
        try {
            long size = Files.size(image);
            return size > ReaderOptions.MAX_IMAGE_BYTES ? tooLarge(image, size, location) : null;
        } catch (IOException e) {
            return new Skipped(location, SkipReason.IMAGE_UNREADABLE, "cannot read " + image + ": " + e.getMessage());
        }
    }

    /** {@code image}, of {@code size} bytes, is larger than a record can hold. */
    static Skipped tooLarge(Path image, long size, String location) {
        return new Skipped(location, SkipReason.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
                "image %s is %,d bytes, more than the %,d a record can hold", image, size, ReaderOptions.MAX_IMAGE_BYTES));
    }
}
