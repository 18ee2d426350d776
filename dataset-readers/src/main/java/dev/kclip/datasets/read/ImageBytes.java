package dev.kclip.datasets.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/**
 * Reads an entry's image file into memory, never more than {@link ReaderOptions#MAX_IMAGE_BYTES}: the size is
 * checked before reading and the read itself is bounded, so a file that grew since it was listed is refused too.
 */
public final class ImageBytes {

    private ImageBytes() {
    }

    /**
     * The bytes of {@code entry}'s image.
     *
     * @throws SkippedException with {@link SkipReason#IMAGE_NOT_FOUND}, {@link SkipReason#IMAGE_TOO_LARGE} or
     *         {@link SkipReason#IMAGE_UNREADABLE}
     */
    public static byte[] read(PairEntry entry) throws SkippedException {
        Skipped tooLarge = ImageLocations.tooLarge(entry.image(), entry.location());
        if (tooLarge != null) {
            throw new SkippedException(tooLarge.reason() == SkipReason.IMAGE_UNREADABLE && !Files.exists(entry.image())
                    ? notFound(entry) : tooLarge);
        }
        try (InputStream in = Files.newInputStream(entry.image())) {
            byte[] bytes = in.readNBytes((int) ReaderOptions.MAX_IMAGE_BYTES + 1);
            if (bytes.length > ReaderOptions.MAX_IMAGE_BYTES) {
                throw new SkippedException(new Skipped(entry.location(), SkipReason.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
                        "image %s grew past the %,d bytes a record can hold", entry.image(), ReaderOptions.MAX_IMAGE_BYTES)));
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new SkippedException(notFound(entry));
        } catch (IOException e) {
            throw new SkippedException(new Skipped(entry.location(), SkipReason.IMAGE_UNREADABLE,
                    "cannot read " + entry.image() + ": " + e.getMessage()));
        }
    }

    private static Skipped notFound(PairEntry entry) {
        return new Skipped(entry.location(), SkipReason.IMAGE_NOT_FOUND, "image not found: " + entry.image());
    }
}
