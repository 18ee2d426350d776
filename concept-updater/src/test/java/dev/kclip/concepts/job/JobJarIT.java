package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The job jar `flink run` takes (built by the package phase): our job and connector, none of Flink itself. */
class JobJarIT {

    @Test
    void holdsTheJobAndConnectorButNotFlinkOrTheBroker() throws IOException {
        Path jar;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jar = files.filter(p -> p.getFileName().toString().endsWith("-job.jar")).findFirst().orElseThrow();
        }
        try (JarFile job = new JarFile(jar.toFile())) {
            assertEquals(ConceptJobMain.class.getName(), job.getManifest().getMainAttributes().getValue("Main-Class"));
            List<String> entries = job.stream().map(e -> e.getName()).toList();
            for (String needed : List.of("dev/kclip/concepts/job/ConceptJobMain.class",
                    "dev/kclip/concepts/kmeans/OnlineKMeans.class", "dev/kclip/schemas/EmbeddedPair.class",
                    "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                    "org/apache/flink/formats/avro/typeutils/AvroTypeInfo.class",
                    "org/apache/kafka/clients/producer/KafkaProducer.class", "picocli/CommandLine.class")) {
                assertTrue(entries.contains(needed), needed);
            }
            for (String prefix : List.of("org/apache/flink/runtime/", "org/apache/flink/streaming/api/",
                    "org/apache/flink/api/common/", "kafka/server/", "scala/", "org/apache/logging/")) {
                assertFalse(entries.stream().anyMatch(e -> e.startsWith(prefix)), prefix + " must come from the cluster");
            }
        }
    }
}
