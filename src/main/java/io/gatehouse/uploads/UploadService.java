package io.gatehouse.uploads;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.catalog.ContentItem;
import io.gatehouse.grants.Grant;
import io.gatehouse.grants.GrantService;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.S3Config;
import io.gatehouse.teams.Team;
import io.gatehouse.web.GatehouseException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Browser uploads: Gatehouse checks the declaration against the team's policy, picks the key itself, signs a PUT
 * (or part URLs) that bind what was declared, and lists the object only after HeadObject confirms it.
 */
@ApplicationScoped
public class UploadService {

    static final String META_UPLOAD_ID = "upload-id";

    public record StartUpload(String team, String filename, Long size, String contentType, String sha256) {
    }

    /** A pre-signed request the browser sends as is: every header listed here is part of the signature. */
    public record SignedRequest(String method, String url, Map<String, String> headers, Instant expiresAt) {
    }

    public record SignedPart(int partNumber, long size, String url, Instant expiresAt) {
    }

    public record UploadedPart(int partNumber, String etag, long size) {
    }

    private final S3Client s3;
    private final S3Presigner presigner;
    private final S3Config s3Config;
    private final UploadConfig config;
    private final GrantService grants;
    private final AuditService audit;
    private final javax.sql.DataSource dataSource;

    UploadService(S3Client s3, S3Presigner presigner, S3Config s3Config, UploadConfig config, GrantService grants,
            AuditService audit, javax.sql.DataSource dataSource) {
        this.dataSource = dataSource;
        this.s3 = s3;
        this.presigner = presigner;
        this.s3Config = s3Config;
        this.config = config;
        this.grants = grants;
        this.audit = audit;
    }

    @Transactional
    public UploadSession start(CurrentUser user, StartUpload request, RequestOrigin origin) {
        String nameProblem = FileNames.problemWith(request.filename());
        if (nameProblem != null) {
            throw GatehouseException.badRequest("filename", nameProblem);
        }
        if (request.size() == null || request.size() <= 0) {
            throw GatehouseException.badRequest("size", "The file size must be a positive number of bytes.");
        }
        String contentType = request.contentType() == null ? "" : request.contentType().strip().toLowerCase(Locale.ROOT);
        String sha256 = checkedSha256(request.sha256());
        Team team = team(user, request.team());
        Team.Policy policy = team.policy(config);
        List<String> allowedTypes = policy.allowedContentTypes();
        if (!allowedTypes.contains(contentType)) {
            throw new GatehouseException(415, "content_type_not_allowed", "Files of type \"" + contentType
                    + "\" are not accepted for team " + team.slug + ". Allowed: " + String.join(", ", allowedTypes) + ".",
                    "contentType");
        }
        long maxBytes = policy.maxObjectBytes();
        if (request.size() > maxBytes) {
            throw new GatehouseException(413, "too_large", "The file is larger than the " + maxBytes
                    + "-byte limit of team " + team.slug + ".", "size");
        }
        UploadSession session = new UploadSession();
        session.id = UUID.randomUUID();
        session.teamSlug = team.slug;
        session.userId = user.id();
        session.bucket = s3Config.bucket();
        session.originalFilename = request.filename();
        session.safeFilename = FileNames.safe(request.filename());
        // The client never influences the prefix: team prefix, user, upload id, then only the safe name.
        session.objectKey = team.keyPrefix + FileNames.segment(user.id()) + "/" + session.id + "/" + session.safeFilename;
        session.declaredSize = request.size();
        session.declaredContentType = contentType;
        session.declaredSha256 = sha256;
        session.sseMode = team.sseMode;
        session.kmsKeyId = team.kmsKeyId;
        session.expiresAt = Instant.now().plus(config.sessionWindow());
        if (!user.isMemberOf(team.slug) && !grants.decide(user, session.bucket, session.objectKey, Grant.Permission.WRITE,
                Instant.now()).allowed()) {
            throw GatehouseException.forbidden("no_write_grant", "You are not a member of team " + team.slug
                    + " and hold no WRITE grant for its space.");
        }
        // Only someone allowed to write here learns about the team's quota and pays for the usage query.
        long quota = policy.quotaBytes();
        int maxPending = policy.maxFilesPerSession();
        Usage usage = usage(team.slug, user.id());
        if (usage.teamBytes() + request.size() > quota) {
            throw new GatehouseException(413, "quota_exceeded", "Team " + team.slug + " has "
                    + Math.max(0, quota - usage.teamBytes()) + " bytes of its quota left; this file needs " + request.size() + ".",
                    "size");
        }
        if (usage.userPending() >= maxPending) {
            throw new GatehouseException(429, "too_many_uploads", "You already have " + maxPending
                    + " uploads in progress; finish or cancel some first.");
        }
        if (request.size() > config.multipartThreshold()) {
            session.multipartUploadId = s3.createMultipartUpload(r -> {
                r.bucket(session.bucket).key(session.objectKey).contentType(contentType).metadata(metadata(session));
                applyEncryption(session, r::serverSideEncryption, r::ssekmsKeyId);
            }).uploadId();
        }
        session.persist();
        audit.record(AuditEntry.of(user.id(), "UPLOAD_STARTED", AuditOutcome.ALLOWED)
                .resource(session.bucket + "/" + session.objectKey)
                .from(origin)
                .detail("uploadId", session.id.toString())
                .detail("size", session.declaredSize)
                .detail("contentType", contentType)
                .detail("multipart", session.multipart()));
        return session;
    }

    /** The single PUT: content type, length, SHA-256, upload id (and encryption) are all signed. */
    public SignedRequest signPut(UploadSession session) {
        return signPut(session, config.putTtl());
    }

    SignedRequest signPut(UploadSession session, Duration ttl) {
        var signed = presigner.presignPutObject(p -> p.signatureDuration(ttl).putObjectRequest(r -> {
            r.bucket(session.bucket).key(session.objectKey)
                    .contentType(session.declaredContentType)
                    .contentLength(session.declaredSize)
                    .checksumSHA256(session.declaredSha256)
                    .metadata(metadata(session));
            applyEncryption(session, r::serverSideEncryption, r::ssekmsKeyId);
        }));
        Map<String, String> headers = new LinkedHashMap<>();
        signed.signedHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                headers.put(name, String.join(",", values));
            }
        });
        return new SignedRequest("PUT", signed.url().toString(), headers, signed.expiration());
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public UploadSession mine(CurrentUser user, UUID id) {
        return owned(user, id, jakarta.persistence.LockModeType.NONE);
    }

    private static UploadSession owned(CurrentUser user, UUID id, jakarta.persistence.LockModeType lock) {
        UploadSession session = UploadSession.findById(id, lock);
        if (session == null || !session.userId.equals(user.id())) {
            // Someone else's upload looks exactly like a missing one.
            throw GatehouseException.notFound("There is no upload " + id + " of yours.");
        }
        return session;
    }

    /** Part URLs, signed in batches on request so that none expires while earlier parts are still uploading. */
    public List<SignedPart> signParts(UploadSession session, List<Integer> partNumbers) {
        requirePendingMultipart(session);
        int partCount = partCount(session);
        if (partNumbers == null || partNumbers.isEmpty() || partNumbers.size() > 100) {
            throw GatehouseException.badRequest("partNumbers", "Ask for 1 to 100 parts at a time.");
        }
        List<SignedPart> parts = new ArrayList<>();
        for (int number : partNumbers) {
            if (number < 1 || number > partCount) {
                throw GatehouseException.badRequest("partNumbers", "Part numbers run from 1 to " + partCount + ".");
            }
            long size = partSize(session, number);
            var signed = presigner.presignUploadPart(p -> p.signatureDuration(config.putTtl()).uploadPartRequest(r -> r
                    .bucket(session.bucket).key(session.objectKey).uploadId(session.multipartUploadId)
                    .partNumber(number).contentLength(size)));
            parts.add(new SignedPart(number, size, signed.url().toString(), signed.expiration()));
        }
        return parts;
    }

    /** What the store already has, so a reloaded page resumes instead of starting over. */
    public List<UploadedPart> uploadedParts(UploadSession session) {
        requirePendingMultipart(session);
        return s3.listPartsPaginator(r -> r.bucket(session.bucket).key(session.objectKey)
                .uploadId(session.multipartUploadId)).parts().stream()
                .map(p -> new UploadedPart(p.partNumber(), p.eTag(), p.size())).toList();
    }

    /**
     * Completes and verifies. Idempotent: completing a finished upload answers with its outcome again. The object
     * is listed only when HeadObject confirms size, type, upload id, checksum (single PUT) and encryption.
     */
    @Transactional
    public UploadSession complete(CurrentUser user, UUID id, List<UploadedPart> reportedParts, RequestOrigin origin) {
        UploadSession session = owned(user, id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (session.status != UploadSession.Status.PENDING) {
            return session;
        }
        if (session.multipart()) {
            String problem = completeMultipart(session, reportedParts != null ? reportedParts : uploadedParts(session));
            if (problem != null) {
                return reject(session, problem, origin);
            }
        }
        HeadObjectResponse head;
        try {
            head = s3.headObject(r -> r.bucket(session.bucket).key(session.objectKey).checksumMode(ChecksumMode.ENABLED));
        } catch (S3Exception e) { // NoSuchKey included
            if (e.statusCode() == 404) {
                return reject(session, "Nothing was uploaded.", origin);
            }
            throw e;
        }
        String mismatch = mismatch(session, head);
        if (mismatch != null) {
            s3.deleteObject(r -> r.bucket(session.bucket).key(session.objectKey));
            return reject(session, mismatch, origin);
        }
        ContentItem item = new ContentItem();
        item.bucket = session.bucket;
        item.objectKey = session.objectKey;
        item.title = session.originalFilename;
        item.sizeBytes = head.contentLength();
        item.contentType = session.declaredContentType;
        item.tier = ContentItem.Tier.STANDARD;
        item.ownerTeam = session.teamSlug;
        item.originalFilename = session.originalFilename;
        item.sha256Base64 = session.declaredSha256;
        item.createdBy = user.id();
        item.persist();
        session.status = UploadSession.Status.VERIFIED;
        session.contentItemId = item.id;
        session.completedAt = Instant.now();
        audit.record(AuditEntry.of(user.id(), "UPLOAD_VERIFIED", AuditOutcome.SUCCEEDED)
                .resource(session.bucket + "/" + session.objectKey)
                .from(origin)
                .detail("uploadId", session.id.toString())
                .detail("itemId", item.id)
                .detail("size", head.contentLength()));
        return session;
    }

    @Transactional
    public UploadSession abort(CurrentUser user, UUID id, RequestOrigin origin) {
        UploadSession session = mine(user, id);
        if (session.status != UploadSession.Status.PENDING) {
            throw new GatehouseException(409, "not_in_progress", "This upload already ended (" + session.status + ").");
        }
        discardObject(session);
        session.status = UploadSession.Status.ABORTED;
        session.completedAt = Instant.now();
        audit.record(AuditEntry.of(user.id(), "UPLOAD_ABORTED", AuditOutcome.SUCCEEDED)
                .resource(session.bucket + "/" + session.objectKey).from(origin)
                .detail("uploadId", session.id.toString()));
        return session;
    }

    /** Removes whatever an unfinished upload left in the store (multipart parts or a stray object). */
    void discardObject(UploadSession session) {
        if (session.multipart()) {
            try {
                s3.abortMultipartUpload(r -> r.bucket(session.bucket).key(session.objectKey).uploadId(session.multipartUploadId));
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
            }
        }
        s3.deleteObject(r -> r.bucket(session.bucket).key(session.objectKey));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<UploadSession> recent(CurrentUser user) {
        return UploadSession.<UploadSession>find("userId = ?1 order by createdAt desc", user.id()).page(0, 50).list();
    }

    int partCount(UploadSession session) {
        return (int) ((session.declaredSize + config.partSize() - 1) / config.partSize());
    }

    long partSize(UploadSession session, int number) {
        return number < partCount(session) ? config.partSize()
                : session.declaredSize - (long) (partCount(session) - 1) * config.partSize();
    }

    public long configuredPartSize() {
        return config.partSize();
    }

    public long multipartThreshold() {
        return config.multipartThreshold();
    }

    /** How many files the team's policy lets one user have in flight (the default for a team not stored yet). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public int maxFiles(String teamSlug) {
        Team team = teamSlug == null ? null : Team.findById(teamSlug);
        return team == null ? config.maxFilesPerSession() : team.policy(config).maxFilesPerSession();
    }

    private static void requirePendingMultipart(UploadSession session) {
        if (!session.multipart()) {
            throw new GatehouseException(409, "not_multipart", "This upload is a single PUT; it has no parts.");
        }
        if (session.status != UploadSession.Status.PENDING) {
            throw new GatehouseException(409, "not_in_progress", "This upload already ended (" + session.status + ").");
        }
    }

    private String completeMultipart(UploadSession session, List<UploadedPart> reported) {
        if (reported == null || reported.size() != partCount(session)) {
            return "The upload reported " + (reported == null ? 0 : reported.size()) + " parts; " + partCount(session)
                    + " were expected.";
        }
        List<CompletedPart> parts = reported.stream().sorted(Comparator.comparingInt(UploadedPart::partNumber))
                .map(p -> CompletedPart.builder().partNumber(p.partNumber()).eTag(p.etag()).build()).toList();
        try {
            s3.completeMultipartUpload(r -> r.bucket(session.bucket).key(session.objectKey)
                    .uploadId(session.multipartUploadId).multipartUpload(m -> m.parts(parts)));
            return null;
        } catch (S3Exception e) {
            discardObject(session);
            return "The store refused to assemble the parts (" + (e.awsErrorDetails() == null ? e.statusCode()
                    : e.awsErrorDetails().errorCode()) + ").";
        }
    }

    private String mismatch(UploadSession session, HeadObjectResponse head) {
        if (head.contentLength() == null || head.contentLength() != session.declaredSize) {
            return "The stored object has " + head.contentLength() + " bytes; " + session.declaredSize + " were declared.";
        }
        if (head.contentType() == null || !head.contentType().equalsIgnoreCase(session.declaredContentType)) {
            return "The stored object's type is " + head.contentType() + "; " + session.declaredContentType + " was declared.";
        }
        if (!session.id.toString().equals(head.metadata().get(META_UPLOAD_ID))) {
            return "The stored object does not carry this upload's id.";
        }
        if (!session.multipart() && !session.declaredSha256.equals(head.checksumSHA256())) {
            return "The stored object's SHA-256 does not match the declared one.";
        }
        if ("SSE_S3".equals(session.sseMode) && head.serverSideEncryption() != ServerSideEncryption.AES256
                || "SSE_KMS".equals(session.sseMode) && head.serverSideEncryption() != ServerSideEncryption.AWS_KMS) {
            return "The stored object is not encrypted as team policy requires (" + session.sseMode + ").";
        }
        return null;
    }

    private UploadSession reject(UploadSession session, String reason, RequestOrigin origin) {
        session.status = UploadSession.Status.REJECTED;
        session.rejectReason = reason;
        session.completedAt = Instant.now();
        audit.record(AuditEntry.of(session.userId, "UPLOAD_REJECTED", AuditOutcome.DENIED)
                .reason(reason)
                .resource(session.bucket + "/" + session.objectKey)
                .from(origin)
                .detail("uploadId", session.id.toString()));
        return session;
    }

    private Team team(CurrentUser user, String requested) {
        String slug = requested;
        if (slug == null || slug.isBlank()) {
            if (user.teams().size() != 1) {
                throw GatehouseException.badRequest("team", user.teams().isEmpty()
                        ? "You are not in any team, so there is no team space to upload into."
                        : "You are in several teams; say which one the file is for.");
            }
            slug = user.teams().iterator().next();
        }
        if (!Team.SLUG.matcher(slug).matches()) {
            throw GatehouseException.badRequest("team", "There is no team \"" + slug + "\".");
        }
        Team team = Team.findById(slug);
        if (team == null) {
            if (!user.isMemberOf(slug)) {
                throw GatehouseException.badRequest("team", "There is no team \"" + slug + "\".");
            }
            // A team the IdP names but Gatehouse has not stored yet: it starts with the default policy.
            team = Team.create(slug, slug);
            team.persist();
        }
        return team;
    }

    /** What the team's quota already holds (listed items and uploads in flight) and the user's uploads in flight. */
    record Usage(long teamBytes, long userPending) {
    }

    /** One indexed round trip (V5 indexes) on every declaration. */
    private Usage usage(String team, String user) {
        try (var connection = dataSource.getConnection(); var select = connection.prepareStatement("""
                SELECT (SELECT coalesce(sum(size_bytes), 0) FROM content_item WHERE owner_team = ?)
                     + (SELECT coalesce(sum(declared_size), 0) FROM upload_session WHERE team_slug = ? AND status = 'PENDING'),
                       (SELECT count(*) FROM upload_session WHERE user_id = ? AND status = 'PENDING')""")) {
            select.setString(1, team);
            select.setString(2, team);
            select.setString(3, user);
            try (var rows = select.executeQuery()) {
                rows.next();
                return new Usage(rows.getLong(1), rows.getLong(2));
            }
        } catch (java.sql.SQLException e) {
            throw new io.gatehouse.web.StoreUnavailable("could not read the team's usage: " + e.getMessage(), e);
        }
    }

    private static String checkedSha256(String sha256) {
        try {
            if (sha256 != null && Base64.getDecoder().decode(sha256).length == 32) {
                return sha256;
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw GatehouseException.badRequest("sha256", "sha256 must be the file's SHA-256 digest in base64 (44 characters).");
    }

    private static Map<String, String> metadata(UploadSession session) {
        return Map.of(META_UPLOAD_ID, session.id.toString());
    }

    private static void applyEncryption(UploadSession session, java.util.function.Consumer<ServerSideEncryption> sse,
            java.util.function.Consumer<String> kmsKey) {
        switch (session.sseMode) {
            case "SSE_S3" -> sse.accept(ServerSideEncryption.AES256);
            case "SSE_KMS" -> {
                sse.accept(ServerSideEncryption.AWS_KMS);
                if (session.kmsKeyId != null) {
                    kmsKey.accept(session.kmsKeyId);
                }
            }
            default -> {
                // bucket default encryption applies
            }
        }
    }
}
