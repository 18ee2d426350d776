package dev.kclip.trainer.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/** Where a follower reads an announced checkpoint's files: a version directory on a shared path, or a server. */
interface CheckpointSource {

    /** Where it is, for messages. */
    String describe();

    /**
     * A small file of the checkpoint, whole.
     *
     * @throws java.nio.file.NoSuchFileException when the checkpoint has no such file
     * @throws IOException when it is larger than {@code limit} or cannot be read
     */
    byte[] read(String name, int limit) throws IOException;

    /** A file's bytes from byte {@code from}, or from 0 when the source cannot skip ({@link Opened#start}). */
    Opened open(String name, long from) throws IOException;

    /** An open file: its bytes from {@code start} on. */
    record Opened(long start, InputStream in) implements Closeable {
        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** A version directory this machine reads; only regular files are read, a link never followed. */
    record Directory(Path dir) implements CheckpointSource {
        @Override
        public String describe() {
            return dir.toString();
        }

        @Override
        public byte[] read(String name, int limit) throws IOException {
            return CheckpointStore.readRegular(dir.resolve(name), limit);
        }

        @Override
        public Opened open(String name, long from) throws IOException {
            Path file = dir.resolve(name);
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                throw new IOException(file + " is not a regular file (links, directories and devices are not copied)");
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            channel.position(from);
            return new Opened(from, Channels.newInputStream(channel));
        }
    }
}
