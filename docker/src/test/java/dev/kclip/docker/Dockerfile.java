package dev.kclip.docker;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tests need to know of one of our Dockerfiles: the variables its {@code ENV} instructions set, its
 * {@code CMD} (exec form) and whether it declares a {@code HEALTHCHECK}.
 *
 * @param env names of the variables set by {@code ENV}
 * @param cmd the {@code CMD} words, empty when there is none
 * @param healthCheck whether a {@code HEALTHCHECK} instruction is present
 */
record Dockerfile(Set<String> env, List<String> cmd, boolean healthCheck) {

    /** A name at the start of an ENV instruction or after whitespace, followed by {@code =}. */
    private static final Pattern ENV_NAME = Pattern.compile("(?:^|\\s)([A-Za-z_][A-Za-z0-9_]*)=");

    static Dockerfile read(Path file) {
        List<String> instructions;
        try {
            instructions = instructions(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> env = new LinkedHashSet<>();
        List<String> cmd = List.of();
        boolean healthCheck = false;
        for (String instruction : instructions) {
            String keyword = instruction.split("\\s+", 2)[0].toUpperCase();
            String rest = instruction.substring(keyword.length()).trim();
            switch (keyword) {
                case "ENV" -> {
                    Matcher m = ENV_NAME.matcher(rest);
                    while (m.find()) {
                        env.add(m.group(1));
                    }
                }
                case "CMD" -> cmd = execForm(rest, file);
                case "HEALTHCHECK" -> healthCheck = !rest.equalsIgnoreCase("NONE");
                default -> { }
            }
        }
        return new Dockerfile(env, cmd, healthCheck);
    }

    /** Instructions with their continuation lines joined; comments and blank lines dropped. */
    private static List<String> instructions(List<String> lines) {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || trimmed.isEmpty() && current.isEmpty()) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                instructions.add(current.toString().trim());
                current.setLength(0);
            }
        }
        return instructions;
    }

    private static List<String> execForm(String json, Path file) {
        try {
            return new ObjectMapper().readValue(json, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": CMD is not in exec form: " + json, e);
        }
    }
}
