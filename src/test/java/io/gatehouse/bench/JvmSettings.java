package io.gatehouse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM settings the container image runs the app with (src/main/docker/Dockerfile.jvm: the collector its
 * run-java.sh is told to use, JAVA_OPTS_APPEND, and MALLOC_ARENA_MAX), so the benchmark measures what ships.
 */
final class JvmSettings {

    private static final Path DOCKERFILE = Path.of("src/main/docker/Dockerfile.jvm");

    private JvmSettings() {
    }

    static List<String> options() throws IOException {
        List<String> options = new ArrayList<>(words(env("GC_CONTAINER_OPTIONS")));
        options.addAll(words(env("JAVA_OPTS_APPEND")));
        return options;
    }

    static Map<String, String> environment() throws IOException {
        return Map.of("MALLOC_ARENA_MAX", env("MALLOC_ARENA_MAX"));
    }

    private static List<String> words(String value) {
        return Arrays.stream(value.trim().split("\\s+")).toList();
    }

    private static String env(String name) throws IOException {
        Matcher value = Pattern.compile("^ENV " + name + "=\"?([^\"\\n]*)\"?$", Pattern.MULTILINE)
                .matcher(Files.readString(DOCKERFILE));
        if (!value.find()) {
            throw new IllegalStateException(DOCKERFILE + " sets no " + name);
        }
        return value.group(1);
    }
}
