package io.gatehouse.dev;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * The embedded default: when {@code gatehouse.embedded.enabled=true} (dev and test profiles only), makes sure a
 * real PostgreSQL server, a real S3 server (S3Proxy) and an OIDC provider with the demo users run on loopback, and
 * points the datasource, the S3 client and OIDC at them.
 * <p>
 * Called through {@code system.EmbeddedDefaultConfig}, the factory every build registers. SmallRye calls it at build
 * time, again at run time in another class loader, and again on every dev-mode restart; {@link EmbeddedServices}
 * keeps the running servers in JVM-wide state so every call after the first reuses them.
 */
public class EmbeddedServicesConfigSourceFactory implements ConfigSourceFactory {

    /** Above application.properties (250) so the live ports win, below env variables (300) so they can override. */
    static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!Boolean.parseBoolean(value(context, "gatehouse.embedded.enabled", "false"))) {
            return List.of();
        }
        var settings = new EmbeddedServices.Settings(
                Path.of(value(context, "gatehouse.embedded.data-dir", "target/gatehouse-embedded")).toAbsolutePath(),
                Boolean.parseBoolean(value(context, "gatehouse.embedded.fresh", "false")),
                Integer.parseInt(value(context, "gatehouse.embedded.postgres-port", "0")),
                Integer.parseInt(value(context, "gatehouse.embedded.s3-port", "0")),
                Integer.parseInt(value(context, "gatehouse.embedded.idp-port", "0")),
                Arrays.stream(value(context, "gatehouse.public-origins", "http://localhost:8080").split(","))
                        .map(String::trim).filter(origin -> !origin.isEmpty()).toList());
        Map<String, String> properties = EmbeddedServices.ensureRunning(settings);
        return List.of(new MapBackedConfigSource("gatehouse-embedded-services", properties, ORDINAL) {
        });
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** Reads a value honouring the active profiles ({@code %dev.x} before {@code x}). */
    private static String value(ConfigSourceContext context, String name, String defaultValue) {
        for (String profile : context.getProfiles()) {
            ConfigValue profiled = context.getValue("%" + profile + "." + name);
            if (profiled != null && profiled.getValue() != null) {
                return profiled.getValue();
            }
        }
        ConfigValue plain = context.getValue(name);
        return plain != null && plain.getValue() != null ? plain.getValue() : defaultValue;
    }
}
