package dev.kclip.datasets.read;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A class-folder tree {@code root/<class>/<image>} (ImageNet-style): the folder name is the label and the caption
 * is the template with the class name, by default "a photo of a {class}.". Files that are not images (by
 * extension) and files directly under the root are ignored.
 */
public final class ClassFolderReader implements DatasetReader {

    private final ReaderOptions options;

    public ClassFolderReader(ReaderOptions options) {
        this.options = options;
    }

    @Override
    public Dataset read(Path root) {
        TextFiles.requireDirectory(root, "class-folder dataset");
        List<PairEntry> entries = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Path classFolder : ImageFiles.folders(root)) {
            String className = classFolder.getFileName().toString();
            String caption = ClassNames.caption(options.captionTemplate(), className);
            for (Path image : ImageFiles.in(classFolder)) {
                String location = className + "/" + image.getFileName();
                Skipped refused = ImageLocations.refusal(root, image, options, location);
                if (refused != null) {
                    skipped.add(refused);
                    continue;
                }
                entries.add(new PairEntry(image, caption, ClassNames.display(className), Map.of(), location));
            }
        }
        if (entries.isEmpty() && skipped.isEmpty()) {
            throw new IllegalArgumentException(root + " holds no images in class folders (expected root/<class>/<image>)");
        }
        Path name = root.toAbsolutePath().normalize().getFileName();
        return new Dataset(options.nameOr(name == null ? "dataset" : name.toString()), entries, skipped);
    }
}
