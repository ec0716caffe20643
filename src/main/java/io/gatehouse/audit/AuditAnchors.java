package io.gatehouse.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.db.Sql;
import io.gatehouse.storage.S3Config;
import io.quarkus.scheduler.Scheduled;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Writes the chain head to the store every {@code gatehouse.audit.anchors.every} (one object per anchor, named so
 * that the newest lists first), and checks the database against the newest genuine anchor when the trail is
 * verified: a row at or before it that was changed and re-sealed, or removed, no longer has the anchored hash.
 */
@ApplicationScoped
public class AuditAnchors {

    /** A signed chain head as stored: the MAC covers sequence, hash and time. */
    public record Anchor(long seq, String hash, Instant at, String mac) {

        Anchor signed(String key) {
            return new Anchor(seq, hash, at, AuditAnchors.mac(key, this));
        }
    }

    private static final Logger LOG = Logger.getLogger(AuditAnchors.class);
    /** How many of the newest anchors are looked at for a genuine one (a forged newest must not hide the rest). */
    private static final int LOOK_AT = 10;

    private final AuditTrail trail;
    private final Sql sql;
    private final S3Client s3;
    private final S3Config s3Config;
    private final AnchorConfig config;
    private final ObjectMapper json;
    private volatile long lastAnchored = -1;

    AuditAnchors(AuditTrail trail, Sql sql, S3Client s3, S3Config s3Config, AnchorConfig config, ObjectMapper json) {
        this.trail = trail;
        this.sql = sql;
        this.s3 = s3;
        this.s3Config = s3Config;
        this.config = config;
        this.json = json;
    }

    @Scheduled(every = "${gatehouse.audit.anchors.every:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (config.key().isEmpty()) {
            return;
        }
        try {
            anchor();
        } catch (RuntimeException e) {
            // Nothing is lost: the next run anchors the head then; verification says how old the newest anchor is.
            LOG.warnf("Anchoring the audit chain failed: %s", e.getMessage());
        }
    }

    /** Seals what is pending and anchors the chain head, unless it is the one anchored last; the anchor written. */
    public Optional<Anchor> anchor() {
        String key = config.key().orElseThrow(() -> new IllegalStateException("no anchor key configured"));
        trail.seal();
        Optional<Anchor> head = sql.one("read the audit chain head",
                "SELECT chain_seq, row_hash FROM audit_seal ORDER BY chain_seq DESC LIMIT 1",
                row -> new Anchor(row.getLong(1), HexFormat.of().formatHex(row.getBytes(2)),
                        Instant.now().truncatedTo(ChronoUnit.SECONDS), null));
        if (head.isEmpty() || head.get().seq() == lastAnchored) {
            return Optional.empty();
        }
        Anchor anchor = head.get().signed(key);
        String name = config.prefix() + String.format("%019d", Long.MAX_VALUE - anchor.seq()) + ".json";
        byte[] body;
        try {
            body = json.writeValueAsBytes(anchor);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        s3.putObject(put -> {
            put.bucket(bucket()).key(name).contentType("application/json");
            config.retention().ifPresent(keep -> put.objectLockMode(ObjectLockMode.COMPLIANCE)
                    .objectLockRetainUntilDate(Instant.now().plus(keep)));
        }, RequestBody.fromBytes(body));
        lastAnchored = anchor.seq();
        return Optional.of(anchor);
    }

    /** The chain's own check, then the newest genuine anchor against the database. */
    public AuditTrail.Verification verify() {
        AuditTrail.Verification chain = trail.verify();
        if (config.key().isEmpty()) {
            return chain.anchored(true, null, "not anchored outside the database (set GATEHOUSE_AUDIT_ANCHOR_KEY)");
        }
        String key = config.key().get();
        String forged = null;
        for (S3Object listed : s3.listObjectsV2(list -> list.bucket(bucket()).prefix(config.prefix()).maxKeys(LOOK_AT)).contents()) {
            Anchor anchor = read(listed.key());
            if (anchor == null || !MessageDigest.isEqual(mac(key, anchor).getBytes(StandardCharsets.US_ASCII),
                    String.valueOf(anchor.mac()).getBytes(StandardCharsets.US_ASCII))) {
                forged = forged != null ? forged : "anchor " + listed.key() + " is not signed with Gatehouse's anchor key";
                continue;
            }
            Optional<String> stored = sql.one("read the anchored audit row",
                    "SELECT row_hash FROM audit_seal WHERE chain_seq = ?", row -> HexFormat.of().formatHex(row.getBytes(1)),
                    anchor.seq());
            String where = "the anchor of " + anchor.at() + " (chain position " + anchor.seq() + ")";
            if (stored.isEmpty()) {
                return chain.anchored(false, anchor.seq(), "rows were removed: the database no longer holds " + where);
            }
            if (!stored.get().equals(anchor.hash())) {
                return chain.anchored(false, anchor.seq(), "rows up to " + where
                        + " were changed and the chain re-sealed: the hash there is not the anchored one");
            }
            return chain.anchored(forged == null, anchor.seq(), forged != null ? forged : "matches " + where);
        }
        return chain.anchored(forged == null, null, forged != null ? forged : "no anchor written yet");
    }

    private Anchor read(String name) {
        try {
            return json.readValue(s3.getObjectAsBytes(get -> get.bucket(bucket()).key(name)).asByteArray(), Anchor.class);
        } catch (java.io.IOException | RuntimeException unreadable) {
            return null;
        }
    }

    private String bucket() {
        return config.bucket().orElse(s3Config.bucket());
    }

    static String mac(String key, Anchor anchor) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((anchor.seq() + "\n" + anchor.hash() + "\n" + anchor.at())
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
