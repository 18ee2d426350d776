package dev.kclip.concepts.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundledJobJarTest {

    @TempDir
    Path dir;

    @Test
    void findsTheJarInTheInstalledJobsFolder() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("kclip/lib"));
        Path self = Files.createFile(lib.resolve("kclip-concept-updater-0.1.0.jar"));
        Path job = Files.createFile(Files.createDirectories(dir.resolve("kclip/jobs")).resolve(BundledJobJar.FILE_NAME));
        assertEquals(Optional.of(job), BundledJobJar.find(Optional.of(self), null));
    }

    @Test
    void findsTheJobJarBesideTheModuleJarAsOnAReactorClasspath() throws Exception {
        Path target = Files.createDirectories(dir.resolve("concept-updater/target"));
        Path self = Files.createFile(target.resolve("kclip-concept-updater-0.1.0-SNAPSHOT.jar"));
        Path job = Files.createFile(target.resolve("kclip-concept-updater-0.1.0-SNAPSHOT-job.jar"));
        assertEquals(Optional.of(job), BundledJobJar.find(Optional.of(self), null));
    }

    @Test
    void findsTheJobJarBesideTheClassesFolder() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("concept-updater/target/classes"));
        Path job = Files.createFile(classes.getParent().resolve("kclip-concept-updater-0.1.0-SNAPSHOT-job.jar"));
        assertEquals(Optional.of(job), BundledJobJar.find(Optional.of(classes), null));
    }

    @Test
    void nothingWhenNoJobJarWasBuilt() throws Exception {
        Path target = Files.createDirectories(dir.resolve("concept-updater/target"));
        Path self = Files.createFile(target.resolve("kclip-concept-updater-0.1.0-SNAPSHOT.jar"));
        assertEquals(Optional.empty(), BundledJobJar.find(Optional.of(self), dir.resolve("nowhere").toString()));
    }
}
