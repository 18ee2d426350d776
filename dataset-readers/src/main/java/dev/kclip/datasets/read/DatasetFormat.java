package dev.kclip.datasets.read;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/** The dataset layouts {@code kclip push} reads, and how to tell them apart from a path. */
public enum DatasetFormat {
    JSONL(JsonlReader::new),
    TSV(TsvReader::new),
    COCO(CocoReader::new),
    FOLDER(ClassFolderReader::new),
    CUB(CubReader::new),
    AWA2(Awa2Reader::new);

    private final Function<ReaderOptions, DatasetReader> factory;

    DatasetFormat(Function<ReaderOptions, DatasetReader> factory) {
        this.factory = factory;
    }

    public DatasetReader reader(ReaderOptions options) {
        return factory.apply(options);
    }

    /**
     * The layout of {@code path}: {@code .jsonl}/{@code .ndjson} → JSONL, {@code .tsv} → TSV, {@code .json} →
     * COCO; a folder with {@code images.txt} → CUB, with {@code predicate-matrix-binary.txt} → AWA2, any other
     * folder → class folders.
     *
     * @throws IllegalArgumentException when the path does not exist or its layout cannot be told
     */
    public static DatasetFormat infer(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("images.txt")) && Files.isRegularFile(path.resolve("image_class_labels.txt"))) {
                return CUB;
            }
            if (Files.isRegularFile(path.resolve("predicate-matrix-binary.txt"))) {
                return AWA2;
            }
            return FOLDER;
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + " does not exist");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        if (name.endsWith(".tsv")) {
            return TSV;
        }
        if (name.endsWith(".json")) {
            return COCO;
        }
        throw new IllegalArgumentException("cannot tell the layout of " + path + " from its name; pass --format "
                + "(jsonl, tsv, coco, folder, cub or awa2)");
    }
}
