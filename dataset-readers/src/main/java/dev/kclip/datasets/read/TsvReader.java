package dev.kclip.datasets.read;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tab-separated list of {@code image<TAB>caption[<TAB>label]}, the shape of CC3M-style caption lists with local
 * image paths (nothing is downloaded). Paths are relative to the image root (default: the file's folder). A first
 * line {@code image<TAB>caption...} is taken as a header; blank lines and lines starting with {@code #} are ignored.
 */
public final class TsvReader implements DatasetReader {

    private final ReaderOptions options;

    public TsvReader(ReaderOptions options) {
        this.options = options;
    }

    @Override
    public Dataset read(Path file) {
        List<String> lines = TextFiles.lines(file);
        Path root = options.imageRoot() != null ? options.imageRoot() : file.toAbsolutePath().getParent();
        String fileName = file.getFileName().toString();
        List<PairEntry> entries = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#") || (i == 0 && line.toLowerCase().startsWith("image\tcaption"))) {
                continue;
            }
            String location = fileName + " line " + (i + 1);
            String[] columns = line.split("\t", -1);
            if (columns.length < 2 || columns.length > 3) {
                skipped.add(new Skipped(location, SkipReason.MALFORMED_LINE,
                        "expected image<TAB>caption[<TAB>label], found " + columns.length + " column(s)"));
                continue;
            }
            if (columns[0].isBlank()) {
                skipped.add(new Skipped(location, SkipReason.MISSING_FIELD, "no image path"));
                continue;
            }
            Path image = root.resolve(columns[0].strip());
            Skipped refused = ImageLocations.refusal(root, image, options, location);
            if (refused != null) {
                skipped.add(refused);
                continue;
            }
            String label = columns.length == 3 && !columns[2].isBlank() ? columns[2].strip() : null;
            entries.add(new PairEntry(image, columns[1], label, Map.of(), location));
        }
        return new Dataset(options.nameOr(ClassNames.folderName(file)), entries, skipped);
    }
}
