import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Writes emoji64-minilm.bin.gz, the drift tests' and DriftBench's fixture: every caption of datasets/emoji-64
 * embedded with the project's MiniLM teacher (onnx-minilm, 384-d, L2-normalised), int8 with one scale per vector
 * (cosine to the float vector above 0.9999). Format: int count, int dim, then per caption: UTF category, UTF
 * caption, float scale, dim signed bytes (value = byte · scale). Run from the repository root, with teacher-models
 * compiled:
 *
 * <pre>
 * mvn -o -q -pl teacher-models -am compile
 * mvn -o -q -pl teacher-models dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp teacher-models/target/classes:$(cat /tmp/cp.txt) \
 *     concept-updater/src/test/resources/dev/kclip/concepts/drift/MakeEmojiEmbeddings.java \
 *     datasets/emoji-64/pairs.jsonl concept-updater/src/test/resources/dev/kclip/concepts/drift/emoji64-minilm.bin.gz
 * </pre>
 */
public class MakeEmojiEmbeddings {

    private static final Pattern FIELD = Pattern.compile("\"(caption|category)\": \"((?:[^\"\\\\]|\\\\.)*)\"");

    /** A JSON string's escapes (the dataset's captions hold \\" and \\uXXXX). */
    private static String unescape(String json) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\') {
                out.append(c);
            } else if (json.charAt(++i) == 'u') {
                out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                i += 4;
            } else {
                out.append(json.charAt(i));
            }
        }
        return out.toString();
    }

    public static void main(String[] args) throws Exception {
        List<String> captions = new ArrayList<>();
        List<String> categories = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            Matcher m = FIELD.matcher(line);
            String caption = null;
            String category = null;
            while (m.find()) {
                String value = unescape(m.group(2));
                if (m.group(1).equals("caption")) {
                    caption = value;
                } else {
                    category = value;
                }
            }
            captions.add(caption);
            categories.add(category);
        }
        try (TeacherModel teacher = TeacherModels.load("onnx-minilm");
                DataOutputStream out = new DataOutputStream(new GZIPOutputStream(new FileOutputStream(args[1])))) {
            List<float[]> vectors = teacher.vectors(captions);
            out.writeInt(vectors.size());
            out.writeInt(vectors.get(0).length);
            for (int i = 0; i < vectors.size(); i++) {
                float[] v = vectors.get(i);
                float max = 0;
                for (float x : v) {
                    max = Math.max(max, Math.abs(x));
                }
                float scale = max / 127;
                out.writeUTF(categories.get(i));
                out.writeUTF(captions.get(i));
                out.writeFloat(scale);
                for (float x : v) {
                    out.writeByte(Math.round(x / scale));
                }
            }
        }
    }
}
