package io.gatehouse.bucket;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.S3Config;
import io.gatehouse.web.GatehouseException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Current bucket CORS against what the browser flows need: show, compare, apply. */
@ApplicationScoped
public class BucketCorsService {

    /** One rule, normalised for comparison (sorted, lower-cased headers). */
    public record Rule(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
            List<String> exposeHeaders, Integer maxAgeSeconds) {

        static Rule of(CORSRule rule) {
            return new Rule(sorted(rule.allowedOrigins(), false), sorted(rule.allowedMethods(), false),
                    sorted(rule.allowedHeaders(), true), sorted(rule.exposeHeaders(), false), rule.maxAgeSeconds());
        }

        static Rule of(BrowserCorsRules rules) {
            return new Rule(sorted(rules.allowedOrigins(), false), sorted(rules.allowedMethods(), false),
                    sorted(rules.allowedHeaders(), true), sorted(rules.exposeHeaders(), false), rules.maxAgeSeconds());
        }

        private static List<String> sorted(List<String> values, boolean lowerCase) {
            return values == null ? List.of()
                    : values.stream().map(v -> lowerCase ? v.toLowerCase(Locale.ROOT) : v).sorted().toList();
        }
    }

    /** {@code state}: ok, drift, missing, or not_supported (the store has no bucket-CORS API). */
    public record CorsState(String state, String message, Rule desired, List<Rule> current) {
    }

    private final S3Client s3;
    private final S3Config s3Config;
    private final AuditService audit;
    private final List<String> publicOrigins;

    BucketCorsService(S3Client s3, S3Config s3Config, AuditService audit,
            @ConfigProperty(name = "gatehouse.public-origins") String publicOrigins) {
        this.s3 = s3;
        this.s3Config = s3Config;
        this.audit = audit;
        this.publicOrigins = Arrays.stream(publicOrigins.split(",")).map(String::strip).filter(o -> !o.isEmpty()).toList();
    }

    public BrowserCorsRules desired() {
        return BrowserCorsRules.forOrigins(publicOrigins);
    }

    public CorsState state() {
        Rule desired = Rule.of(desired());
        List<Rule> current;
        try {
            current = s3.getBucketCors(r -> r.bucket(s3Config.bucket())).corsRules().stream().map(Rule::of).toList();
        } catch (S3Exception e) {
            if (e.statusCode() == 501) {
                return new CorsState("not_supported", "This store does not implement the bucket-CORS API. S3Proxy reads "
                        + "CORS from its own configuration; the embedded default starts it with exactly the desired rules below.",
                        desired, List.of());
            }
            if (e.statusCode() == 404) {
                return new CorsState("missing", "The bucket has no CORS configuration: browsers cannot upload to it.",
                        desired, List.of());
            }
            throw e;
        }
        boolean ok = current.size() == 1 && current.get(0).equals(desired);
        return new CorsState(ok ? "ok" : "drift", ok ? "The bucket's CORS rules are exactly what the browser flows need."
                : "The bucket's CORS rules differ from what Gatehouse needs (compare below).", desired, current);
    }

    /**
     * Applies the desired rules. The change is recorded before it is made (ALLOWED, committed), then its outcome
     * (SUCCEEDED or FAILED): whatever fails in between, no change to the bucket goes unaudited.
     */
    public CorsState apply(CurrentUser admin, RequestOrigin origin) {
        BrowserCorsRules rules = desired();
        audit.recordAlone(entry(admin, AuditOutcome.ALLOWED, rules, origin));
        try {
            s3.putBucketCors(r -> r.bucket(s3Config.bucket()).corsConfiguration(c -> c.corsRules(CORSRule.builder()
                    .allowedOrigins(rules.allowedOrigins()).allowedMethods(rules.allowedMethods())
                    .allowedHeaders(rules.allowedHeaders()).exposeHeaders(rules.exposeHeaders())
                    .maxAgeSeconds(rules.maxAgeSeconds()).build())));
        } catch (SdkException e) {
            boolean notImplemented = e instanceof S3Exception s3e && s3e.statusCode() == 501;
            audit.recordAlone(entry(admin, AuditOutcome.FAILED, rules, origin)
                    .reason(notImplemented ? "not_supported" : e instanceof S3Exception s3e && s3e.awsErrorDetails() != null
                            ? s3e.awsErrorDetails().errorCode() : "store_unavailable"));
            if (notImplemented) {
                throw new GatehouseException(409, "not_supported",
                        "This store does not implement PutBucketCors; configure CORS in the store itself.");
            }
            throw e;
        }
        audit.recordAlone(entry(admin, AuditOutcome.SUCCEEDED, rules, origin));
        return state();
    }

    private AuditEntry entry(CurrentUser admin, AuditOutcome outcome, BrowserCorsRules rules, RequestOrigin origin) {
        return AuditEntry.of(admin.id(), AuditAction.BUCKET_CORS_APPLIED, outcome).resource(s3Config.bucket()).from(origin)
                .detail("origins", rules.allowedOrigins());
    }
}
