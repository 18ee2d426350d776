package dev.kclip.datasets.read;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;

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
        try (SeekableByteChannel channel = Files.newByteChannel(entry.image())) {
            if (channel.size() > ReaderOptions.MAX_IMAGE_BYTES) {
                throw new SkippedException(ImageLocations.tooLarge(entry.image(), channel.size(), entry.location()));
            }
            byte[] bytes = Channels.newInputStream(channel).readNBytes((int) ReaderOptions.MAX_IMAGE_BYTES + 1);
            if (bytes.length > ReaderOptions.MAX_IMAGE_BYTES) { // it grew while being read
                throw new SkippedException(ImageLocations.tooLarge(entry.image(), bytes.length, entry.location()));
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new SkippedException(new Skipped(entry.location(), SkipReason.IMAGE_NOT_FOUND, "image not found: " + entry.image()));
        } catch (IOException e) {
            throw new SkippedException(new Skipped(entry.location(), SkipReason.IMAGE_UNREADABLE,
                    "cannot read " + entry.image() + ": " + e.getMessage()));
        }
    }
}
