package dev.kclip.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.testcontainers.utility.DockerImageName;

/**
 * The kclip images of this checkout, built the way users build them: by {@code docker/build-images.sh}, here on the
 * base image it makes from Debian packages ({@code --debian-base}), since no image can be pulled. The base image is
 * built once and kept; the other layers are cached, so a rebuild with unchanged jars takes seconds.
 */
final class ProjectImages {

    private final String tag;

    private ProjectImages(String tag) {
        this.tag = tag;
    }

    /** Builds every image (not the Flink cluster one, which needs Flink's image) with {@code tag}. */
    static ProjectImages build(Path root, String tag) throws IOException, InterruptedException {
        Path log = root.resolve("docker/target/build-images.log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder("bash", root.resolve("docker/build-images.sh").toString(),
                "--debian-base", "--tag", tag, "--no-flink")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = process.waitFor(20, TimeUnit.MINUTES);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.print(output);
        if (!finished) {
            process.destroyForcibly();
            throw new IllegalStateException("build-images.sh took over 20 minutes:\n" + output);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("build-images.sh failed (exit " + process.exitValue() + "):\n" + output);
        }
        return new ProjectImages(tag);
    }

    /** {@code kclip/<name>:<tag>}, e.g. {@code image("trainer")}. */
    DockerImageName image(String name) {
        return DockerImageName.parse("kclip/" + name + ":" + tag);
    }
}
