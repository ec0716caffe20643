package io.gatehouse.dev;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.gatehouse.catalog.ContentItem;
import io.gatehouse.grants.Grant;
import io.gatehouse.storage.S3Config;
import io.gatehouse.teams.Team;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Seeds the embedded default (dev and test profiles, {@code gatehouse.demo.seed=true}) with the demo bucket, two
 * teams and a few content items whose bytes really are in the bucket. Idempotent: a restart adds nothing twice.
 */
@ApplicationScoped
public class DemoData {

    private static final Logger LOG = Logger.getLogger(DemoData.class);

    record DemoItem(String team, String file, String title, String description, String contentType,
            ContentItem.Tier tier, String body) {
    }

    static final List<DemoItem> ITEMS = List.of(
            new DemoItem("team-a", "handbook/welcome.md", "Welcome handbook",
                    "How the team works, in one page.", "text/markdown", ContentItem.Tier.STANDARD,
                    "# Welcome to team A\n\nThis file came straight from S3 through a pre-signed URL.\n"),
            new DemoItem("team-a", "reports/2026-q3-summary.csv", "Q3 summary (CSV)",
                    "Quarterly figures for team A.", "text/csv", ContentItem.Tier.STANDARD,
                    "month,downloads,uploads\n2026-07,1204,88\n2026-08,1310,92\n2026-09,1502,101\n"),
            new DemoItem("team-a", "premium/market-study.txt", "Market study (premium)",
                    "The full study; premium subscribers only.", "text/plain", ContentItem.Tier.PREMIUM,
                    "Market study 2026\n=================\nPremium content: findings, charts and the raw data appendix.\n"),
            new DemoItem("team-b", "datasets/sensor-readings.json", "Sensor readings",
                    "A week of readings from the lab sensors.", "application/json", ContentItem.Tier.STANDARD,
                    "{\"sensor\":\"lab-1\",\"readings\":[21.4,21.6,21.9,22.3]}\n"),
            new DemoItem("team-b", "premium/training-video-notes.txt", "Training notes (premium)",
                    "Notes that go with the premium training series.", "text/plain", ContentItem.Tier.PREMIUM,
                    "Episode 1: signing URLs. Episode 2: grants. Episode 3: audits.\n"));

    private final S3Client s3;
    private final S3Config s3Config;
    private final boolean enabled;

    DemoData(S3Client s3, S3Config s3Config, @ConfigProperty(name = "gatehouse.demo.seed", defaultValue = "false") boolean enabled) {
        this.s3 = s3;
        this.s3Config = s3Config;
        this.enabled = enabled;
    }

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        ensureBucket();
        int added = seedCatalog();
        int grants = seedGrants();
        LOG.infof("Demo data ready in bucket %s (%d new items, %d new grants)", s3Config.bucket(), added, grants);
    }

    private void ensureBucket() {
        try {
            s3.headBucket(request -> request.bucket(s3Config.bucket()));
        } catch (S3Exception e) { // NoSuchBucket included
            if (e.statusCode() != 404) {
                throw e;
            }
            s3.createBucket(request -> request.bucket(s3Config.bucket()));
        }
    }

    @Transactional
    int seedCatalog() {
        ensureTeam("team-a", "Team A");
        ensureTeam("team-b", "Team B");
        int added = 0;
        for (DemoItem demo : ITEMS) {
            Team team = Team.findById(demo.team());
            String key = team.keyPrefix + demo.file();
            if (ContentItem.count("bucket = ?1 and objectKey = ?2", s3Config.bucket(), key) > 0) {
                continue;
            }
            byte[] bytes = demo.body().getBytes(StandardCharsets.UTF_8);
            s3.putObject(request -> request.bucket(s3Config.bucket()).key(key).contentType(demo.contentType()),
                    RequestBody.fromBytes(bytes));
            ContentItem item = new ContentItem();
            item.bucket = s3Config.bucket();
            item.objectKey = key;
            item.title = demo.title();
            item.description = demo.description();
            item.sizeBytes = bytes.length;
            item.contentType = demo.contentType();
            item.tier = demo.tier();
            item.ownerTeam = demo.team();
            item.originalFilename = io.gatehouse.storage.ObjectKeys.fileName(demo.file());
            item.sha256Base64 = sha256(bytes);
            item.createdBy = "demo-seed";
            item.persist();
            added++;
        }
        return added;
    }

    /**
     * Team members read their own team's space without a grant (alice and erin team A's, but not its premium item:
     * they are not premium; bob team B's). The grants show the other paths: bob, as a premium user, reads team A's
     * premium shelf (a ROLE grant); mallory holds only an expired and a revoked grant, so she sees those reasons.
     */
    @Transactional
    int seedGrants() {
        if (Grant.count("createdBy", "demo-seed") > 0) {
            return 0;
        }
        Instant now = Instant.now();
        Instant nextYear = now.plus(Duration.ofDays(365));
        grant(Grant.SubjectType.ROLE, "premium", "teams/team-a/premium/", now, nextYear, null, null);
        grant(Grant.SubjectType.USER, "mallory", "teams/team-a/handbook/", now.minus(Duration.ofDays(30)),
                now.minus(Duration.ofDays(1)), null, null);
        grant(Grant.SubjectType.USER, "mallory", "teams/team-a/reports/", now, nextYear, now, "demo: access withdrawn");
        return 3;
    }

    private void grant(Grant.SubjectType type, String subject, String prefix, Instant from, Instant until,
            Instant revokedAt, String revokedReason) {
        Grant grant = new Grant();
        grant.subjectType = type;
        grant.subject = subject;
        grant.bucket = s3Config.bucket();
        grant.resourceType = Grant.ResourceType.PREFIX;
        grant.resource = prefix;
        grant.permission = Grant.Permission.READ;
        grant.validFrom = from;
        grant.validUntil = until;
        grant.reason = "demo data";
        grant.createdBy = "demo-seed";
        if (revokedAt != null) {
            grant.revokedAt = revokedAt;
            grant.revokedBy = "demo-seed";
            grant.revokedReason = revokedReason;
        }
        grant.persist();
    }

    private static void ensureTeam(String slug, String name) {
        if (Team.findById(slug) == null) {
            Team.create(slug, name).persist();
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
