package dev.kclip.datasets.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.schemas.PairIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReadersTest {

    private static final Path EMOJI = Path.of("../datasets/emoji-64/pairs.jsonl");
    private static final byte[] IMAGE = readImage();

    @TempDir
    Path dir;

    @Test
    void emoji64HasEveryPairWithItsCategoriesAsAttributes() {
        Dataset emoji = new JsonlReader().read(EMOJI);

        assertEquals("emoji-64", emoji.name());
        assertEquals(1_911, emoji.entries().size());
        assertEquals(List.of(), emoji.skipped());
        PairEntry first = emoji.entries().get(0);
        assertEquals("grinning face", first.caption());
        assertEquals("Smileys & Emotion", first.attribute("category"));
        assertEquals("face-smiling", first.attribute("subcategory"));
        assertEquals("grinning", first.attribute("short_names"));
        assertEquals("1F600", first.attribute("unified"));
        assertNull(first.label());
        assertTrue(Files.isRegularFile(first.image()));
        assertEquals("pairs.jsonl line 1", first.location());
        assertEquals(10, emoji.entries().stream().map(e -> e.attribute("category")).distinct().count());
    }

    @Test
    void emoji64LoadsWholeWithContentHashIds() {
        LoadedDataset emoji = LoadedDataset.load(new JsonlReader(ReaderOptions.DEFAULTS.withLabelField("category")), EMOJI);

        assertEquals(1_911, emoji.pairs().size());
        assertEquals("skipped none", emoji.skippedSummary());
        LoadedDataset.Pair first = emoji.pairs().get(0);
        assertEquals("grinning face", first.caption());
        assertEquals("Smileys & Emotion", first.label());
        assertEquals(PairIds.contentHash(IMAGE, "grinning face"), first.id(), "the id ingest gives the pair");
    }

    @Test
    void jsonlSkipsWhatItCannotUseWithLineNumbersAndGoesOn() throws IOException {
        image("img/a.png");
        image("img/b.png");
        Path file = write("pairs.jsonl", String.join("\n",
                "{\"image\": \"img/a.png\", \"caption\": \"a\", \"label\": \"cat\", \"n\": 3, \"tags\": [\"x\", \"y\"], \"meta\": {\"k\": 1}}",
                "{\"image\": \"img/a.png\", \"caption\": ",
                "",
                "{\"image\": \"img/missing.png\", \"caption\": \"gone\"}",
                "{\"caption\": \"no image\"}",
                "[1, 2]",
                "{\"image\": \"" + dir.resolve("img/b.png").toAbsolutePath() + "\", \"caption\": \"absolute\"}"));

        Dataset dataset = new JsonlReader().read(file);

        assertEquals(List.of("a", "absolute"), dataset.entries().stream().map(PairEntry::caption).toList());
        PairEntry a = dataset.entries().get(0);
        assertEquals("cat", a.label());
        assertEquals(Map.of("n", "3", "tags", "x,y"), a.attributes(), "nested objects left out, label not repeated");
        assertEquals(List.of("pairs.jsonl line 2", "pairs.jsonl line 4", "pairs.jsonl line 5", "pairs.jsonl line 6"),
                dataset.skipped().stream().map(Skipped::location).toList());
        assertEquals(List.of(SkipReason.MALFORMED_LINE, SkipReason.IMAGE_NOT_FOUND, SkipReason.MISSING_FIELD,
                SkipReason.MALFORMED_LINE), dataset.skipped().stream().map(Skipped::reason).toList());
        assertTrue(dataset.skipped().get(0).detail().startsWith("malformed JSON"), dataset.skipped().get(0).detail());
    }

    @Test
    void jsonlLabelFieldIsConfigurable() throws IOException {
        image("a.png");
        Path file = write("p.jsonl", "{\"image\": \"a.png\", \"caption\": \"a\", \"category\": \"Food\"}\n");
        Dataset dataset = new JsonlReader(new ReaderOptions("category", ReaderOptions.DEFAULT_CAPTION_TEMPLATE, null, "mine"))
                .read(file);
        assertEquals("Food", dataset.entries().get(0).label());
        assertEquals(Map.of(), dataset.entries().get(0).attributes());
        assertEquals("mine", dataset.name());
    }

    @Test
    void tsvReadsImageCaptionAndOptionalLabel() throws IOException {
        image("imgs/1.png");
        image("imgs/2.png");
        Path file = write("list.tsv", "image\tcaption\nimgs/1.png\ta red square\nimgs/2.png\tanother\tsquare\n"
                + "# a comment\nimgs/3.png\tmissing\nno tab here\n");

        Dataset dataset = new TsvReader(ReaderOptions.DEFAULTS).read(file);

        assertEquals(List.of("a red square", "another"), dataset.entries().stream().map(PairEntry::caption).toList());
        assertEquals("square", dataset.entries().get(1).label());
        assertEquals(List.of("list.tsv line 5: image not found: " + dir.resolve("imgs/3.png"),
                "list.tsv line 6: expected image<TAB>caption[<TAB>label], found 1 column(s)"),
                dataset.skipped().stream().map(Skipped::toString).toList());
    }

    @Test
    void cocoGivesOnePairPerAnnotationAndFindsTheSplitFolder() throws IOException {
        image("val2017/000000000139.jpg");
        Path file = write("annotations/captions_val2017.json", """
                {"images": [{"id": 139, "file_name": "000000000139.jpg"}, {"id": 285, "file_name": "000000000285.jpg"}],
                 "annotations": [{"id": 1, "image_id": 139, "caption": "A woman in a kitchen."},
                                 {"id": 2, "image_id": 139, "caption": "A kitchen with a stove."},
                                 {"id": 3, "image_id": 285, "caption": "A bear."},
                                 {"id": 4, "image_id": 999, "caption": "Orphan."}]}
                """);

        Dataset dataset = new CocoReader(ReaderOptions.DEFAULTS).read(file);

        assertEquals("coco-val2017", dataset.name());
        assertEquals(List.of("A woman in a kitchen.", "A kitchen with a stove."), dataset.entries().stream().map(PairEntry::caption).toList());
        assertEquals(Map.of("coco_image_id", "139", "coco_annotation_id", "2"), dataset.entries().get(1).attributes());
        assertEquals(List.of(SkipReason.IMAGE_NOT_FOUND, SkipReason.MISSING_FIELD), dataset.skipped().stream().map(Skipped::reason).toList());
        assertThrows(IllegalArgumentException.class, () -> new CocoReader(ReaderOptions.DEFAULTS).read(write("x.json", "{\"a\": 1}")));
    }

    @Test
    void classFoldersUseTheFolderAsLabelAndTheTemplateAsCaption() throws IOException {
        image("animals/golden_retriever/1.jpg");
        image("animals/golden_retriever/2.png");
        image("animals/tabby+cat/1.PNG");
        Files.writeString(dir.resolve("animals/golden_retriever/notes.txt"), "not an image");

        Dataset dataset = new ClassFolderReader(ReaderOptions.DEFAULTS).read(dir.resolve("animals"));

        assertEquals("animals", dataset.name());
        assertEquals(List.of("a photo of a golden retriever.", "a photo of a golden retriever.", "a photo of a tabby cat."),
                dataset.entries().stream().map(PairEntry::caption).toList());
        assertEquals(List.of("golden retriever", "golden retriever", "tabby cat"), dataset.entries().stream().map(PairEntry::label).toList());
        assertEquals("golden_retriever/2.png", dataset.entries().get(1).location());
        assertThrows(IllegalArgumentException.class, () -> new ReaderOptions("label", "no placeholder", null, null));
    }

    @Test
    void cubPutsClassSplitAndPresentAttributesIntoTheRecord() throws IOException {
        Path root = dir.resolve("CUB_200_2011");
        image("CUB_200_2011/images/001.Black_footed_Albatross/a.jpg");
        image("CUB_200_2011/images/002.Laysan_Albatross/b.jpg");
        write("CUB_200_2011/images.txt", "1 001.Black_footed_Albatross/a.jpg\n2 002.Laysan_Albatross/b.jpg\n3 002.Laysan_Albatross/gone.jpg\n");
        write("CUB_200_2011/classes.txt", "1 001.Black_footed_Albatross\n2 002.Laysan_Albatross\n");
        write("CUB_200_2011/image_class_labels.txt", "1 1\n2 2\n3 2\n");
        write("CUB_200_2011/train_test_split.txt", "1 1\n2 0\n3 0\n");
        write("attributes.txt", "1 has_bill_shape::curved_(up_or_down)\n2 has_bill_shape::dagger\n3 has_wing_color::white\n");
        write("CUB_200_2011/attributes/image_attribute_labels.txt", "1 1 0 3 10.0\n1 2 1 4 5.2\n1 3 1 3 1.0 0\n2 1 1 2 4.0\n");

        Dataset dataset = new CubReader(ReaderOptions.DEFAULTS).read(root);

        assertEquals(2, dataset.entries().size());
        PairEntry albatross = dataset.entries().get(0);
        assertEquals("Black footed Albatross", albatross.label());
        assertEquals("a photo of a Black footed Albatross.", albatross.caption());
        assertEquals(Map.of("class_id", "1", "split", "train", "has_bill_shape", "dagger", "has_wing_color", "white"),
                albatross.attributes());
        assertEquals(Map.of("class_id", "2", "split", "test", "has_bill_shape", "curved_(up_or_down)"), dataset.entries().get(1).attributes());
        assertEquals(List.of("images.txt line 3"), dataset.skipped().stream().map(Skipped::location).toList());
        assertEquals(DatasetFormat.CUB, DatasetFormat.infer(root));
    }

    @Test
    void awa2PutsTheClassPredicatesIntoTheRecord() throws IOException {
        Path root = dir.resolve("Animals_with_Attributes2");
        image("Animals_with_Attributes2/JPEGImages/grizzly+bear/grizzly+bear_10001.jpg");
        image("Animals_with_Attributes2/JPEGImages/dalmatian/dalmatian_10001.jpg");
        image("Animals_with_Attributes2/JPEGImages/dalmatian/dalmatian_10002.jpg");
        write("Animals_with_Attributes2/classes.txt", "1\tgrizzly+bear\n2\tdalmatian\n");
        write("Animals_with_Attributes2/predicates.txt", "1\tblack\n2\twhite\n3\tbrown\n");
        write("Animals_with_Attributes2/predicate-matrix-binary.txt", "0 0 1\n1 1 0\n");

        Dataset dataset = new Awa2Reader(ReaderOptions.DEFAULTS).read(root);

        assertEquals(List.of("a photo of a grizzly bear.", "a photo of a dalmatian.", "a photo of a dalmatian."),
                dataset.entries().stream().map(PairEntry::caption).toList());
        assertEquals(Map.of("predicates", "brown"), dataset.entries().get(0).attributes());
        assertEquals(Map.of("predicates", "black,white"), dataset.entries().get(2).attributes());
        assertEquals("grizzly bear", dataset.entries().get(0).label());
        assertEquals(DatasetFormat.AWA2, DatasetFormat.infer(root));
    }

    @Test
    void formatIsInferredFromThePath() throws IOException {
        assertEquals(DatasetFormat.JSONL, DatasetFormat.infer(EMOJI));
        assertEquals(DatasetFormat.TSV, DatasetFormat.infer(write("a.tsv", "")));
        assertEquals(DatasetFormat.COCO, DatasetFormat.infer(write("captions.json", "{}")));
        image("classes/cat/1.png");
        assertEquals(DatasetFormat.FOLDER, DatasetFormat.infer(dir.resolve("classes")));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> DatasetFormat.infer(write("a.csv", "")));
        assertTrue(unknown.getMessage().contains("--format"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DatasetFormat.infer(dir.resolve("nope.jsonl")));
    }

    private void image(String relative) throws IOException {
        Path path = dir.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.write(path, IMAGE);
    }

    private Path write(String relative, String text) throws IOException {
        Path path = dir.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
        return path;
    }

    private static byte[] readImage() {
        try {
            return Files.readAllBytes(EMOJI.resolveSibling("images/1f600.png"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
