package dev.kclip.datasets.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers take images only from under the dataset's folder, and none larger than a record can hold. */
class ImageConfinementTest {

    private static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};

    @TempDir
    Path dir;

    @Test
    void jsonlRefusesDotDotEscapesAndAbsolutePathsOutsideItsFolder() throws IOException {
        Path secret = file("outside/secret.png");
        file("data/img/ok.png");
        Path jsonl = text("data/pairs.jsonl", String.join("\n",
                "{\"image\": \"img/ok.png\", \"caption\": \"inside\"}",
                "{\"image\": \"../outside/secret.png\", \"caption\": \"dot-dot\"}",
                "{\"image\": \"img/../../outside/secret.png\", \"caption\": \"dot-dot inside a path\"}",
                "{\"image\": \"" + secret.toAbsolutePath() + "\", \"caption\": \"absolute\"}"));

        Dataset dataset = new JsonlReader().read(jsonl);

        assertEquals(List.of("inside"), dataset.entries().stream().map(PairEntry::caption).toList());
        assertEquals(List.of(SkipReason.OUTSIDE_ROOT, SkipReason.OUTSIDE_ROOT, SkipReason.OUTSIDE_ROOT),
                dataset.skipped().stream().map(Skipped::reason).toList());
        assertTrue(dataset.skipped().get(0).detail().contains("--allow-outside-root"), dataset.skipped().get(0).detail());
    }

    @Test
    void symlinksResolvingOutsideTheFolderAreRefused() throws IOException {
        Path secret = file("outside/secret.png");
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.createSymbolicLink(data.resolve("link.png"), secret);
        Files.createSymbolicLink(data.resolve("linked-folder"), secret.getParent());
        Files.createDirectories(data.resolve("cat"));
        Files.createSymbolicLink(data.resolve("cat/1.png"), secret);
        file("data/cat/2.png");
        Path tsv = text("data/pairs.tsv", "link.png\ta link\nlinked-folder/secret.png\ta linked folder\ncat/2.png\tinside\n");

        Dataset fromTsv = new TsvReader(ReaderOptions.DEFAULTS).read(tsv);
        Dataset fromFolders = new ClassFolderReader(ReaderOptions.DEFAULTS).read(data);

        assertEquals(List.of("inside"), fromTsv.entries().stream().map(PairEntry::caption).toList());
        assertEquals(List.of(SkipReason.OUTSIDE_ROOT, SkipReason.OUTSIDE_ROOT), fromTsv.skipped().stream().map(Skipped::reason).toList());
        assertTrue(fromTsv.skipped().get(0).detail().contains("resolves to"), fromTsv.skipped().get(0).detail());
        assertEquals(List.of("cat/2.png"), fromFolders.entries().stream().map(PairEntry::location).toList());
        assertEquals(List.of("cat/1.png", "linked-folder/secret.png"), fromFolders.skipped().stream().map(Skipped::location).toList(),
                "a linked image and a linked class folder");
    }

    @Test
    void symlinksWithinTheFolderAreFine() throws IOException {
        Path real = file("data/store/a.png");
        Files.createSymbolicLink(dir.resolve("data/a.png"), real);
        Path jsonl = text("data/pairs.jsonl", "{\"image\": \"a.png\", \"caption\": \"linked inside\"}\n");

        assertEquals(1, new JsonlReader().read(jsonl).entries().size());
    }

    @Test
    void allowOutsideRootLetsTheUserChoose() throws IOException {
        file("outside/secret.png");
        Path jsonl = text("data/pairs.jsonl", "{\"image\": \"../outside/secret.png\", \"caption\": \"dot-dot\"}\n");

        Dataset dataset = new JsonlReader(ReaderOptions.DEFAULTS.withAllowOutsideRoot(true)).read(jsonl);

        assertEquals(List.of("dot-dot"), dataset.entries().stream().map(PairEntry::caption).toList());
        assertEquals(List.of(), dataset.skipped());
    }

    @Test
    void imagesLargerThanARecordAreRefusedWhenListedAndWhenRead() throws IOException, SkippedException {
        Path big = file("data/big.png");
        grow(big, ReaderOptions.MAX_IMAGE_BYTES + 1);
        Path small = file("data/small.png");
        Path jsonl = text("data/pairs.jsonl", "{\"image\": \"big.png\", \"caption\": \"big\"}\n"
                + "{\"image\": \"small.png\", \"caption\": \"small\"}\n");

        Dataset dataset = new JsonlReader().read(jsonl);
        assertEquals(List.of("small"), dataset.entries().stream().map(PairEntry::caption).toList());
        assertEquals(List.of(SkipReason.IMAGE_TOO_LARGE), dataset.skipped().stream().map(Skipped::reason).toList());

        PairEntry entry = dataset.entries().get(0);
        assertArrayEquals(IMAGE, ImageBytes.read(entry));
        grow(small, ReaderOptions.MAX_IMAGE_BYTES + 1); // grew after it was listed
        SkippedException grown = assertThrows(SkippedException.class, () -> ImageBytes.read(entry));
        assertEquals(SkipReason.IMAGE_TOO_LARGE, grown.skipped().reason());
        Files.delete(small);
        assertEquals(SkipReason.IMAGE_NOT_FOUND, assertThrows(SkippedException.class, () -> ImageBytes.read(entry)).skipped().reason());
    }

    @Test
    void loadedDatasetCountsWhatItSkipped() throws IOException {
        file("data/a.png");
        Path jsonl = text("data/pairs.jsonl", "{\"image\": \"a.png\", \"caption\": \"a\", \"label\": \"x\"}\nnot json\n"
                + "{\"image\": \"gone.png\", \"caption\": \"gone\"}\n{\"image\": \"../../etc/passwd\", \"caption\": \"escape\"}\n");

        LoadedDataset loaded = LoadedDataset.load(new JsonlReader(), jsonl);

        assertEquals(1, loaded.pairs().size());
        assertEquals("x", loaded.pairs().get(0).label());
        assertArrayEquals(IMAGE, loaded.pairs().get(0).image());
        assertEquals("skipped 3: 1 malformed line, 1 image not found, 1 outside the dataset folder",
                loaded.skippedSummary());
    }

    private Path file(String relative) throws IOException {
        Path path = dir.resolve(relative);
        Files.createDirectories(path.getParent());
        return Files.write(path, IMAGE);
    }

    private Path text(String relative, String content) throws IOException {
        Path path = dir.resolve(relative);
        Files.createDirectories(path.getParent());
        return Files.writeString(path, content);
    }

    /** Makes {@code file} {@code size} bytes long without writing them (a sparse file). */
    private static void grow(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }
}
