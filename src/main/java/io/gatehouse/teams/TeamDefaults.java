package io.gatehouse.teams;

import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The upload policy a team has until an admin overrides it (its stored values win). The keys keep their
 * {@code gatehouse.uploads.*} names: they are the defaults of upload policy, read here by the teams that own it.
 */
@ConfigMapping(prefix = "gatehouse.uploads")
public interface TeamDefaults {

    @WithDefault("text/plain,text/csv,text/markdown,application/pdf,application/json,application/zip,image/png,image/jpeg,application/octet-stream")
    List<String> allowedContentTypes();

    /** 5 GiB: S3's single-object limit through Gatehouse. */
    @WithDefault("5368709120")
    long maxObjectBytes();

    @WithDefault("53687091200")
    long quotaBytes();

    @WithDefault("20")
    int maxFilesPerSession();
}
