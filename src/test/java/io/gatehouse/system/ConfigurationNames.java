package io.gatehouse.system;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every GATEHOUSE_* environment variable the app reads, found in its own code and configuration: the
 * {@code ${GATEHOUSE_...}} references of application.properties, and the environment form (upper case, dots and
 * dashes as underscores) of every gatehouse.* property — the {@code @ConfigMapping} interfaces' methods,
 * {@code @ConfigProperty} names, {@code ${gatehouse...}} expressions and application.properties' own keys.
 */
final class ConfigurationNames {

    private static final Pattern ENVIRONMENT_REFERENCE = Pattern.compile("\\$\\{(GATEHOUSE_[A-Z0-9_]+)");
    private static final Pattern PROPERTY_KEY = Pattern.compile("^(?:%[a-z,]+\\.)?(gatehouse\\.[a-z0-9.-]+)=", Pattern.MULTILINE);
    private static final Pattern PROPERTY_IN_CODE = Pattern.compile("(?:name = \"|\\$\\{)(gatehouse\\.[a-z0-9.-]+)");
    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(prefix = \"([a-z0-9.-]+)\"\\)\\s+public interface (\\w+)");

    private ConfigurationNames() {
    }

    static Set<String> environmentVariables() throws IOException {
        Set<String> names = new TreeSet<>();
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        Matcher reference = ENVIRONMENT_REFERENCE.matcher(properties);
        while (reference.find()) {
            names.add(reference.group(1));
        }
        Matcher key = PROPERTY_KEY.matcher(properties);
        while (key.find()) {
            names.add(environmentName(key.group(1)));
        }
        for (Path source : sources()) {
            String code = Files.readString(source);
            Matcher inCode = PROPERTY_IN_CODE.matcher(code);
            while (inCode.find()) {
                names.add(environmentName(inCode.group(1)));
            }
            Matcher mapping = MAPPING.matcher(code);
            if (mapping.find()) {
                names.addAll(mappedNames(mapping.group(1), className(source)));
            }
        }
        return names;
    }

    static String environmentName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Set<String> mappedNames(String prefix, String className) {
        Set<String> names = new TreeSet<>();
        try {
            for (Method method : Class.forName(className).getDeclaredMethods()) {
                if (method.getParameterCount() == 0 && Modifier.isAbstract(method.getModifiers())) {
                    names.add(environmentName(prefix + "." + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2")));
                }
            }
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    private static String className(Path source) {
        String relative = Path.of("src/main/java").relativize(source).toString();
        return relative.substring(0, relative.length() - ".java".length()).replace('/', '.');
    }

    /** Every Java source of the app (the embedded default's included: it reads configuration too). */
    static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            return files.filter(file -> file.toString().endsWith(".java")).toList();
        }
    }
}
