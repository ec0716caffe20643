package io.gatehouse.downloads;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.accesspoints.AccessPointService;
import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditEvent;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.AuditTrail;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.catalog.ContentAccess;
import io.gatehouse.catalog.ContentItem;
import io.gatehouse.db.Sql;
import io.gatehouse.grants.AccessDecision;
import io.gatehouse.grants.DenialReason;
import io.gatehouse.grants.Grant;
import io.gatehouse.grants.GrantService;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.UrlSigner;
import io.gatehouse.storage.ObjectKeys;
import io.gatehouse.storage.S3Clients;
import io.gatehouse.storage.S3Config;
import io.gatehouse.storage.SseCustomerKeys;
import io.gatehouse.storage.UrlLifetimes;
import io.gatehouse.web.GatehouseException;
import io.gatehouse.web.RateLimits;
import io.quarkus.narayana.jta.QuarkusTransaction;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Issues download URLs: item, tier, grant, use limit, TTL, signature and audit row. The URL leaves this class only
 * after its audit row has committed. The hot path runs without a JTA transaction: the reads are plain statements,
 * and the decision is written by one statement (the audit row), or — for a grant with a use limit — by the use spent
 * and the audit row in one transaction.
 */
@ApplicationScoped
public class DownloadService {

    public sealed interface Outcome permits Issued, Denied {
    }

    /**
     * {@code headers}: what the browser must send with the URL (SSE-C: algorithm and key MD5, plus the key itself);
     * {@code vpcOnly}: the VPC the URL works from (a VPC-origin access point), or null.
     */
    public record Issued(String url, Instant expiresAt, Map<String, String> headers, String vpcOnly) implements Outcome {
    }

    public record Denied(DenialReason reason) implements Outcome {
    }

    private final ContentAccess access;
    private final GrantService grants;
    private final AuditService audit;
    private final S3Presigner presigner;
    private final UrlSigner urlSigner;
    private final UrlLifetimes lifetimes;
    private final Sql sql;
    private final AuditTrail trail;
    private final S3Config s3;
    private final AccessPointService accessPoints;
    private final RateLimits rateLimits;

    DownloadService(ContentAccess access, GrantService grants, AuditService audit, AuditTrail trail, S3Presigner presigner,
            UrlSigner urlSigner, UrlLifetimes lifetimes, Sql sql, S3Config s3, AccessPointService accessPoints,
            RateLimits rateLimits) {
        this.rateLimits = rateLimits;
        this.urlSigner = urlSigner;
        this.s3 = s3;
        this.accessPoints = accessPoints;
        this.trail = trail;
        this.access = access;
        this.grants = grants;
        this.audit = audit;
        this.presigner = presigner;
        this.lifetimes = lifetimes;
        this.sql = sql;
    }

    public Outcome issue(CurrentUser user, long itemId, Duration requestedTtl, RequestOrigin origin) {
        return issue(user, itemId, requestedTtl, null, origin);
    }

    /** {@code sseCustomerKeyMd5}: for an item stored with SSE-C, the MD5 of the key the browser holds (else ignored). */
    public Outcome issue(CurrentUser user, long itemId, Duration requestedTtl, String sseCustomerKeyMd5, RequestOrigin origin) {
        rateLimits.take(RateLimits.Kind.URLS, user.id(), origin == null ? null : origin.clientIp());
        Item read = item(itemId);
        if (read == null) {
            throw GatehouseException.notFound("There is no item " + itemId + ".");
        }
        ContentItem item = read.item();
        if (item.sseCustomerKey) {
            checkCustomerKey(item, sseCustomerKeyMd5);
        }
        Instant now = Instant.now();
        AccessDecision decision = access.read(user, item, now);
        if (!decision.allowed()) {
            return deny(user, item, decision.denial(), origin);
        }
        Grant grant = decision.grant();
        Duration wanted = requestedTtl != null ? requestedTtl : lifetimes.downloadTtl();
        Duration ttl = grant != null ? lifetimes.bound(wanted, now, grant.validUntil) : lifetimes.bound(wanted, now);
        if (item.objectLambdaArn != null && accessPoints.presigner() == null) {
            // Never the raw object instead of the view it is meant to be served through (a redaction, say).
            throw new GatehouseException(409, "object_lambda_unavailable", "This item is served only through an Object "
                    + "Lambda access point, which this deployment cannot sign for (no S3 Control configured).");
        }
        // Through its Object Lambda access point, else the owner team's access point (whose policy reaches only the
        // team's prefix), else the bucket.
        Optional<AccessPointService.Route> route = item.objectLambdaArn != null ? Optional.empty()
                : accessPoints.route(item.ownerTeam, item.objectKey, read.accessPointArn(), read.accessPointVpcId());
        String via = item.objectLambdaArn != null ? item.objectLambdaArn : route.map(AccessPointService.Route::arn).orElse(null);
        String target = via != null ? via : item.bucket;
        String disposition = ContentDisposition.attachment(filename(item));
        String url;
        Instant expiresAt;
        Map<String, String> headers = Map.of();
        if (item.sseCustomerKey) {
            // Signed headers too (the key's algorithm and MD5): the SDK's presigner, which reports them.
            var signed = (via != null ? accessPoints.presigner() : presigner).presignGetObject(request -> request
                    .signatureDuration(ttl)
                    .getObjectRequest(get -> get.bucket(target).key(item.objectKey).responseContentDisposition(disposition)
                            .responseContentType(item.contentType).sseCustomerAlgorithm(SseCustomerKeys.ALGORITHM)
                            .sseCustomerKeyMD5(sseCustomerKeyMd5.strip())));
            url = signed.url().toString();
            expiresAt = signed.expiration();
            headers = S3Clients.headersToSend(signed);
        } else {
            var signed = (via != null ? accessPoints.urlSigner() : urlSigner).get(target, item.objectKey, ttl, disposition,
                    item.contentType);
            url = signed.url();
            expiresAt = signed.expiresAt();
        }
        AuditEntry issued = AuditEntry.of(user.id(), AuditAction.DOWNLOAD_URL_ISSUED, AuditOutcome.ALLOWED)
                .resource(item.bucket + "/" + item.objectKey)
                .grant(grant == null ? null : grant.id)
                .from(origin)
                .detail("rule", decision.rule())
                .detail("team", decision.memberOf())
                .detail("itemId", item.id)
                .detail("expiresAt", expiresAt)
                .detail("ttlSeconds", ttl.toSeconds())
                .detail("via", via == null ? "bucket" : via);
        if (grant != null && grant.maxUses != null) {
            // The use and the row that records it commit together; the conditional update makes the count race-free.
            boolean spent = QuarkusTransaction.requiringNew().call(() -> {
                if (!grants.spendUse(grant, now)) {
                    return false;
                }
                audit.record(issued);
                return true;
            });
            if (!spent) {
                return deny(user, item, DenialReason.GRANT_USED_UP, origin);
            }
        } else {
            audit.recordCommitted(issued);
        }
        return new Issued(url, expiresAt, headers, route.map(AccessPointService.Route::vpcOnly).orElse(null));
    }

    /** SSE-C: only over https, and only with the MD5 of a key (S3 refuses a key that does not match it). */
    private void checkCustomerKey(ContentItem item, String keyMd5) {
        String https = SseCustomerKeys.httpsProblem(s3);
        if (https != null) {
            throw new GatehouseException(422, "sse_c_needs_https", https);
        }
        if (!SseCustomerKeys.isMd5(keyMd5 == null ? null : keyMd5.strip())) {
            throw GatehouseException.badRequest("sseCustomerKeyMd5", "This item is encrypted with its team's own key "
                    + "(SSE-C): download it from the catalog page with the key, which only your browser holds.");
        }
    }

    /** What a download reads of an item, and its owner team's access point (one round trip: this is the hot path). */
    private record Item(ContentItem item, String accessPointArn, String accessPointVpcId) {
    }

    /** The item's download-relevant fields and its team's access point in one indexed read (plain JDBC). */
    private Item item(long id) {
        return sql.one("read item " + id,
                "SELECT bucket, object_key, content_type, tier, original_filename, sse_customer_key, owner_team, "
                        + "object_lambda_arn, " + AccessPointService.ROUTE_COLUMNS + " FROM content_item i"
                        + AccessPointService.routeJoin("i.owner_team") + " WHERE i.id = ?", row -> {
                    ContentItem item = new ContentItem();
                    item.id = id;
                    item.bucket = row.getString(1);
                    item.objectKey = row.getString(2);
                    item.contentType = row.getString(3);
                    item.tier = ContentItem.Tier.valueOf(row.getString(4));
                    item.originalFilename = row.getString(5);
                    item.sseCustomerKey = row.getBoolean(6);
                    item.ownerTeam = row.getString(7);
                    item.objectLambdaArn = row.getString(8);
                    return new Item(item, row.getString(9), row.getString(10)); // by position: a name costs a lookup map per result set
                }, id).orElse(null);
    }

    /** The user's most recent issued download URLs, newest first (from the audit trail). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<AuditEvent> recentDownloads(CurrentUser user, int limit) {
        return trail.latest(user.id(), AuditAction.DOWNLOAD_URL_ISSUED, limit);
    }

    private Outcome deny(CurrentUser user, ContentItem item, DenialReason reason, RequestOrigin origin) {
        audit.recordCommitted(AuditEntry.of(user.id(), AuditAction.DOWNLOAD_DENIED, AuditOutcome.DENIED)
                .reason(reason.code())
                .resource(item.bucket + "/" + item.objectKey)
                .from(origin)
                .detail("itemId", item.id));
        return new Denied(reason);
    }

    private static String filename(ContentItem item) {
        if (item.originalFilename != null && !item.originalFilename.isBlank()) {
            return item.originalFilename;
        }
        return ObjectKeys.fileName(item.objectKey);
    }
}
