package io.gatehouse.system;

import java.util.List;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;

/**
 * Where the embedded default (io.gatehouse.dev: PostgreSQL, S3Proxy, the OIDC provider) plugs into configuration.
 * Dev and test builds have it and hand over to it; the packaged production app has neither its classes nor its
 * libraries, and this answers nothing there. (Quarkus records config-source factories at build time, so the one it
 * records must exist in every build: this one, not the embedded default's.)
 */
public class EmbeddedDefaultConfig implements ConfigSourceFactory {

    private static final String EMBEDDED = "io.gatehouse.dev.EmbeddedServicesConfigSourceFactory";

    /** Above application.properties (250), below environment variables (300). */
    static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigSourceFactory embedded;
        try {
            embedded = (ConfigSourceFactory) Class.forName(EMBEDDED, true, EmbeddedDefaultConfig.class.getClassLoader())
                    .getConstructor().newInstance();
        } catch (ClassNotFoundException productionBuild) {
            return List.of();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Could not load the embedded default: " + e.getMessage(), e);
        }
        return embedded.getConfigSources(context);
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
