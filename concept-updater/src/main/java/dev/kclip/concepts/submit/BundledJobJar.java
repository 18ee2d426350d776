package dev.kclip.concepts.submit;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the concept job jar that ships with kclip: {@code jobs/concept-updater-job.jar} beside the launcher's
 * {@code lib/} (launcher/target/kclip, the runtime image's /opt/kclip), or the module build's
 * {@code kclip-concept-updater-*-job.jar} beside its classes or its jar (the build tree, a reactor build's
 * classpath, the local Maven repository).
 */
public final class BundledJobJar {

    /** The job jar's name in the launcher's {@code jobs/} folder (the launcher pom copies it there). */
    public static final String FILE_NAME = "concept-updater-job.jar";

    private BundledJobJar() {
    }

    /** The bundled job jar, if it is where kclip installs or builds it. */
    public static Optional<Path> find() {
        return find(codeLocation(), System.getProperty("kclip.home"));
    }

    /** The job jar for this class loaded from {@code location} (a jar or a classes folder), or in {@code home}. */
    static Optional<Path> find(Optional<Path> location, String home) {
        List<Path> candidates = new ArrayList<>();
        location.ifPresent(code -> {
            Path parent = code.getParent();
            if (Files.isRegularFile(code) && parent != null && parent.getParent() != null) {
                candidates.add(parent.getParent().resolve("jobs").resolve(FILE_NAME));   // <home>/lib/this.jar
                builtJobJar(parent).ifPresent(candidates::add);        // target/ or the local repository's folder
            } else if (Files.isDirectory(code) && parent != null) {
                builtJobJar(parent).ifPresent(candidates::add);                        // target/classes
            }
        });
        if (home != null) {
            candidates.add(Path.of(home, "launcher", "target", "kclip", "jobs", FILE_NAME));
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst();
    }

    private static Optional<Path> codeLocation() {
        try {
            return Optional.of(Path.of(BundledJobJar.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> builtJobJar(Path target) {
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("kclip-concept-updater-.*-job\\.jar"))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
