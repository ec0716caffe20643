package io.gatehouse.uploads;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.gatehouse.accesspoints.AccessPointService;
import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.catalog.ContentAccess;
import io.gatehouse.catalog.ContentItem;
import io.gatehouse.catalog.ContentItems;
import io.gatehouse.grants.AccessDecision;
import io.gatehouse.grants.DenialReason;
import io.gatehouse.grants.Grant;
import io.gatehouse.grants.GrantService;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.KmsBudget;
import io.gatehouse.storage.S3Config;
import io.gatehouse.storage.SseCustomerKeys;
import io.gatehouse.storage.SseMode;
import io.gatehouse.storage.StoreCapabilities;
import io.gatehouse.storage.UrlLifetimes;
import io.gatehouse.storage.UrlSigner;
import io.gatehouse.teams.Team;
import io.gatehouse.teams.TeamDefaults;
import io.gatehouse.teams.TeamDirectory;
import io.gatehouse.teams.TeamUsage;
import io.gatehouse.web.GatehouseException;
import io.gatehouse.web.RateLimits;
import io.gatehouse.web.RetryLater;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Browser uploads: Gatehouse checks the declaration against the team's policy and the caller's right to write
 * there, picks the key itself, signs a PUT (or part URLs, in batches) that binds what was declared, and lists the
 * object only after {@link UploadVerifier} confirmed it. Every URL is signed in the transaction that records it;
 * calls to S3 happen between transactions, never inside one. An upload that ends any way but verified takes its
 * URLs' reason to exist with it: the store's multipart upload is aborted and whatever a still-valid URL writes
 * afterwards is removed by {@link AbandonedUploadsJob}.
 */
@ApplicationScoped
public class UploadService {

    private static final Logger LOG = Logger.getLogger(UploadService.class);
    static final String META_UPLOAD_ID = "upload-id";
    /** The longest a declaration waits for its turn before it is refused (503): far beyond a healthy queue. */
    private static final Duration TURN_WAIT = Duration.ofSeconds(10);
    /** Sets of turns, each shared by the teams whose names fall on it ({@link #turnsOf}). */
    private static final int TURN_SETS = 64;
    /** Object metadata naming the client-side encryption scheme, so any reader knows the bytes are ciphertext. */
    static final String META_ENCRYPTION = "gatehouse-encryption";
    /** {@code clientEncryption}: the scheme the browser encrypted with ({@value ContentItem#CLIENT_ENCRYPTION}), or null. */
    public record StartUpload(String team, String filename, Long size, String contentType, String sha256,
            String clientEncryption, String sseCustomerKeyMd5, String contentMd5) {
    }

    /** A pre-signed request the browser sends as is: every header listed here is part of the signature. */
    public record SignedRequest(String method, String url, Map<String, String> headers, Instant expiresAt) {
    }

    public record SignedPart(int partNumber, long size, String url, Instant expiresAt) {
    }

    public record UploadedPart(int partNumber, String etag, long size) {
    }

    /** A declared upload and, for a single PUT, its signed request. */
    public record Started(UploadSession session, SignedRequest put) {
    }

    /** How a completion ended: the session as it stands, and the refusal if the caller may no longer write there. */
    public record Completion(UploadSession session, DenialReason refusal) {
    }

    private final S3Client s3;
    private final S3Presigner presigner;
    private final S3Config s3Config;
    private final UploadConfig config;
    private final GrantService grants;
    private final AuditService audit;
    private final UploadVerifier verifier;
    private final UrlLifetimes lifetimes;
    private final StoreCapabilities capabilities;
    private final UploadUsage usage;
    private final ContentAccess access;
    private final TeamDefaults teamDefaults;
    private final TeamUsage teamUsage;
    private final KmsBudget kmsBudget;
    private final TeamDirectory teamDirectory;
    /** Turns to decide a declaration: a few at a time per team ({@link UploadConfig#declarations()}). */
    private final Semaphore[] turns = new Semaphore[TURN_SETS];
    /** Verifications, a few at a time ({@link UploadConfig#verifications()}: they end on the team row's lock). */
    private final ExecutorService verifications;

    private final AccessPointService accessPoints;
    private final RateLimits rateLimits;
    private final VerificationClaims claims;
    private final UrlSigner urlSigner;
    private final UploadSessionRows rows;
    private final ContentItems items;

    UploadService(S3Client s3, S3Presigner presigner, UrlSigner urlSigner, S3Config s3Config, UploadConfig config, GrantService grants,
            AuditService audit, UploadVerifier verifier, UrlLifetimes lifetimes, StoreCapabilities capabilities,
            UploadUsage usage, ContentAccess access, TeamDefaults teamDefaults, TeamUsage teamUsage, TeamDirectory teamDirectory,
            KmsBudget kmsBudget, AccessPointService accessPoints, RateLimits rateLimits, VerificationClaims claims,
            UploadSessionRows rows, ContentItems items, MeterRegistry registry) {
        this.claims = claims;
        this.rows = rows;
        this.items = items;
        for (int i = 0; i < TURN_SETS; i++) {
            turns[i] = new Semaphore(config.declarations(), true);
        }
        Gauge.builder("gatehouse.upload.declarations.waiting", turns,
                all -> Arrays.stream(all).mapToInt(Semaphore::getQueueLength).sum())
                .description("upload declarations waiting for their turn on this replica").register(registry);
        this.verifications = Executors.newFixedThreadPool(config.verifications(), runnable -> {
            Thread thread = new Thread(runnable, "upload-verification");
            thread.setDaemon(true);
            return thread;
        });
        this.urlSigner = urlSigner;
        this.rateLimits = rateLimits;
        this.accessPoints = accessPoints;
        this.s3 = s3;
        this.presigner = presigner;
        this.s3Config = s3Config;
        this.config = config;
        this.grants = grants;
        this.audit = audit;
        this.verifier = verifier;
        this.lifetimes = lifetimes;
        this.capabilities = capabilities;
        this.usage = usage;
        this.access = access;
        this.teamDefaults = teamDefaults;
        this.teamUsage = teamUsage;
        this.teamDirectory = teamDirectory;
        this.kmsBudget = kmsBudget;
    }

    /**
     * Declares an upload. The declaration is checked, the write right decided (a WRITE grant spends a use), the PUT
     * signed, the quota held under a lock on the team row and the in-flight limit under a lock on the user's, and the
     * session and its audit row written, in one transaction. A multipart upload is then opened at the store.
     */
    public Started start(CurrentUser user, StartUpload request, RequestOrigin origin) {
        rateLimits.take(RateLimits.Kind.UPLOADS, user.id(), origin == null ? null : origin.clientIp());
        String nameProblem = FileNames.problemWith(request.filename());
        if (nameProblem != null) {
            throw GatehouseException.badRequest("filename", nameProblem);
        }
        if (request.size() == null || request.size() <= 0) {
            throw GatehouseException.badRequest("size", "The file size must be a positive number of bytes.");
        }
        String contentType = request.contentType() == null ? "" : request.contentType().strip().toLowerCase(Locale.ROOT);
        // A multipart upload may leave it for its completion (decided in declare, where multipart is decided).
        String sha256 = request.sha256() == null ? null : checkedSha256(request.sha256());
        // Probed before the transaction: the first upload after start pays for it, and no lock waits on S3.
        StoreCapabilities.Capabilities store = capabilities.get();
        Started started;
        try {
            Semaphore turn = awaitTurn(request.team());
            try {
                started = QuarkusTransaction.requiringNew().call(() -> declare(user, request, contentType, sha256, store, origin));
            } finally {
                turn.release();
            }
        } catch (WriteRefused refused) {
            audit.recordAlone(AuditEntry.of(user.id(), AuditAction.UPLOAD_DENIED, AuditOutcome.DENIED).reason(refused.reason.code())
                    .resource(s3Config.bucket() + "/" + refused.teamPrefix).from(origin).detail("team", refused.team));
            throw GatehouseException.forbidden(refused.reason == DenialReason.NO_GRANT ? "no_write_grant" : refused.reason.code(),
                    refused.getMessage());
        }
        if (started.session().multipart()) {
            openMultipart(started.session(), origin);
        }
        return started;
    }

    /** A turn among the declarations into this team that this replica decides at once ({@link UploadConfig#declarations()}). */
    private Semaphore awaitTurn(String team) {
        Semaphore turn = turns[turnsOf(team)];
        boolean taken;
        try {
            taken = turn.tryAcquire(TURN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            taken = false;
        }
        if (!taken) {
            throw new RetryLater(503, 1, "busy", "Too many uploads into this team are being declared right now; nothing "
                    + "was started. Try again in a moment.");
        }
        return turn;
    }

    /**
     * Which turns a team's declarations take: a fixed set of them, chosen by the team's name as the caller gave it
     * (checked only later, in the transaction), so that no request can make the set grow. Two teams may share one.
     */
    static int turnsOf(String team) {
        return Math.floorMod(Objects.hashCode(team), TURN_SETS);
    }

    private Started declare(CurrentUser user, StartUpload request, String contentType, String sha256,
            StoreCapabilities.Capabilities store, RequestOrigin origin) {
        Team team = team(user, request.team());
        Team.Policy policy = team.policy(teamDefaults);
        List<String> allowedTypes = policy.allowedContentTypes();
        if (!allowedTypes.contains(contentType)) {
            throw new GatehouseException(415, "content_type_not_allowed", "Files of type \"" + contentType
                    + "\" are not accepted for team " + team.slug + ". Allowed: " + String.join(", ", allowedTypes) + ".",
                    "contentType");
        }
        if (request.size() > policy.maxObjectBytes()) {
            throw new GatehouseException(413, "too_large", "The file is larger than the " + policy.maxObjectBytes()
                    + "-byte limit of team " + team.slug + ".", "size");
        }
        Instant now = Instant.now();
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
        session.clientEncryption = clientEncryption(team, request.clientEncryption());
        session.accessPointArn = accessPoints.route(team.slug, session.objectKey).map(AccessPointService.Route::arn).orElse(null);
        session.multipart = request.size() > multipartThreshold(store) && team.sseMode != SseMode.SSE_C;
        if (sha256 == null && !session.multipart) {
            // One PUT: the store checks the body against the checksum signed into the URL, so it is needed now.
            throw GatehouseException.badRequest("sha256", "sha256 must be the file's SHA-256 digest in base64 (44 "
                    + "characters); only a file sent in parts may give it when it completes.");
        }
        if (team.sseMode == SseMode.SSE_C) {
            customerKey(session, request);
        }
        AccessDecision right = writeRight(user, team, session.objectKey, now);
        Grant grant = right.grant();
        session.writeGrantId = grant == null ? null : grant.id;
        // The upload, and every URL signed for it, ends with its window or with the grant that allows it.
        session.expiresAt = grant == null || grant.validUntil.isAfter(now.plus(config.sessionWindow()))
                ? now.plus(config.sessionWindow()) : grant.validUntil;
        if (Duration.between(now, session.expiresAt).compareTo(UrlLifetimes.SHORTEST) < 0) {
            throw new WriteRefused(DenialReason.GRANT_EXPIRED, "Your WRITE grant for this space ends now.", team);
        }
        if (grant != null && !grants.spendUse(grant, now)) {
            throw new WriteRefused(DenialReason.GRANT_USED_UP, "Your WRITE grant for this space has no uses left.", team);
        }
        SignedRequest put = session.multipart ? null : signPut(session, store, now);
        // Its audit row before the locks, so that they are held for less: the row commits with the session or, if a
        // limit refuses it, rolls back with it (a refusal for a limit is the 429 or 413, not a row).
        audit.record(entry(user.id(), AuditAction.UPLOAD_STARTED, AuditOutcome.ALLOWED, session, origin)
                .detail("rule", right.rule())
                .detail("size", session.declaredSize)
                .detail("contentType", contentType)
                .detail("multipart", session.multipart)
                .detail("encryption", session.sseMode.name())
                .detail("clientEncryption", session.clientEncryption)
                .detail("via", session.accessPointArn == null ? "bucket" : session.accessPointArn)
                .detail("putExpiresAt", put == null ? null : put.expiresAt().toString()));
        // Last, two statements and the commit under locks: the team row's, which serialises the team's declarations,
        // then the user's, with the session's insert (UploadUsage). Team before user: the order in which an ending
        // upload takes them (its counters' triggers at commit, V19 and V21, run in trigger-name order), so that a
        // declaration and a completion of the same user cannot deadlock. (The cleanup job, ending many users' uploads
        // in one transaction, takes all their teams and then all their users, each in one order: UploadUsage.lockToEnd.)
        teamUsage.lock(team.slug);
        UploadUsage.Admission admitted = usage.admit(session);
        // Only someone allowed to write here learns about the team's quota and its own uploads in flight.
        if (admitted.openUploads() >= policy.maxFilesPerSession()) {
            throw new GatehouseException(429, "too_many_uploads", "You already have " + policy.maxFilesPerSession()
                    + " uploads in progress; finish or cancel some first.");
        }
        if (admitted.teamBytes() + request.size() > policy.quotaBytes()) {
            throw new GatehouseException(413, "quota_exceeded", "Team " + team.slug + " has "
                    + Math.max(0, policy.quotaBytes() - admitted.teamBytes()) + " bytes of its quota left; this file needs "
                    + request.size() + ".", "size");
        }
        // Spent once the limits let the declaration stand: the budget is kept in memory, and a refusal's rollback
        // would not give it back.
        spendKms(user, session, 1, origin);
        return new Started(session, put);
    }

    /**
     * The declared client-side encryption: required where the team says so; otherwise allowed (a user may encrypt
     * on their own). Gatehouse cannot see inside the ciphertext; it records the scheme so downloads decrypt.
     */
    private static String clientEncryption(Team team, String declared) {
        String scheme = declared == null || declared.isBlank() ? null : declared.strip();
        if (scheme != null && !scheme.equals(ContentItem.CLIENT_ENCRYPTION)) {
            throw GatehouseException.badRequest("clientEncryption", "The only client-side encryption scheme is \""
                    + ContentItem.CLIENT_ENCRYPTION + "\"; leave the field out for a file that is not encrypted.");
        }
        if (scheme == null && team.clientSideEncryption) {
            throw new GatehouseException(422, "client_encryption_required", "Team " + team.slug + " requires files to be "
                    + "encrypted in the browser before upload: use the Upload page with a passphrase or key file.",
                    "clientEncryption");
        }
        return scheme;
    }

    /**
     * SSE-C: only over https; one PUT, so at most 5 GiB; the MD5 of the uploader's key (S3 checks the key sent
     * against it) and of the file (the store checks the body against it) are signed. The key itself never comes here.
     */
    private void customerKey(UploadSession session, StartUpload request) {
        String https = SseCustomerKeys.httpsProblem(s3Config);
        if (https != null) {
            throw new GatehouseException(422, "sse_c_needs_https", https, "sseMode");
        }
        if (session.declaredSize > SseMode.SSE_C_MAX_BYTES) {
            throw new GatehouseException(413, "too_large", "Files encrypted with your team's own key (SSE-C) go in one "
                    + "PUT, which S3 limits to 5 GiB.", "size");
        }
        session.sseCustomerKeyMd5 = md5("sseCustomerKeyMd5", request.sseCustomerKeyMd5(), "the MD5 of your team's "
                + "256-bit key");
        session.contentMd5 = md5("contentMd5", request.contentMd5(), "the MD5 of the file");
    }

    private static String md5(String field, String value, String what) {
        String md5 = value == null ? null : value.strip();
        if (!SseCustomerKeys.isMd5(md5)) {
            throw GatehouseException.badRequest(field, "Give " + what + ", base64 (24 characters): your team encrypts "
                    + "with its own key (SSE-C).");
        }
        return md5;
    }

    /** The rule that lets the user write there: membership of the team, or a WRITE grant (refused if neither). */
    private AccessDecision writeRight(CurrentUser user, Team team, String key, Instant now) {
        AccessDecision decision = access.write(user, team.slug, key, now);
        if (!decision.allowed()) {
            throw new WriteRefused(decision.denial(), decision.denial() == DenialReason.NO_GRANT
                    ? "You are not a member of team " + team.slug + " and hold no WRITE grant for its space."
                    : "Your WRITE grant for team " + team.slug + "'s space: " + decision.denial().message(), team);
        }
        return decision;
    }

    /** A refused write right: the transaction rolls back, the refusal is audited on its own. */
    private static final class WriteRefused extends GatehouseException {
        final DenialReason reason;
        final String team;
        final String teamPrefix;

        WriteRefused(DenialReason reason, String message, Team team) {
            super(403, reason.code(), message);
            this.reason = reason;
            this.team = team.slug;
            this.teamPrefix = team.keyPrefix;
        }
    }

    /**
     * The single PUT binds content type, length, upload id, encryption, and where the store enforces them the
     * SHA-256 and {@code If-None-Match: *} (the URL can create the object once and never replace it). It lives for
     * its size at the assumed speed, never past the session's window or the signing credentials.
     */
    SignedRequest signPut(UploadSession session, StoreCapabilities.Capabilities store, Instant now) {
        SignedRequest signed = signPut(session, store, uploadUrlTtl(session, session.declaredSize, now));
        session.extendLinger(signed.expiresAt(), lingerFor(session.declaredSize));
        return signed;
    }

    SignedRequest signPut(UploadSession session, StoreCapabilities.Capabilities store, Duration ttl) {
        UrlSigner.SignedPut signed = (session.accessPointArn != null ? accessPoints.urlSigner() : urlSigner)
                .put(session.signingBucket(), session.objectKey, ttl, putHeaders(session, store));
        return new SignedRequest("PUT", signed.url(), signed.headers(), signed.expiresAt());
    }

    /** What the single PUT binds, named as S3 names the PutObject fields (UploadTest compares with the presigner). */
    static Map<String, String> putHeaders(UploadSession session, StoreCapabilities.Capabilities store) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("content-type", session.declaredContentType);
        headers.put("content-length", Long.toString(session.declaredSize));
        metadata(session).forEach((name, value) -> headers.put("x-amz-meta-" + name, value));
        if (store.checksSha256()) {
            headers.put("x-amz-checksum-sha256", session.declaredSha256);
        }
        if (store.writeOnce()) {
            headers.put("if-none-match", "*");
        }
        applyEncryption(session, sse -> headers.put("x-amz-server-side-encryption", sse.toString()),
                key -> headers.put("x-amz-server-side-encryption-aws-kms-key-id", key),
                bucketKey -> headers.put("x-amz-server-side-encryption-bucket-key-enabled", bucketKey.toString()));
        if (session.sseMode == SseMode.SSE_C) {
            headers.put("x-amz-server-side-encryption-customer-algorithm", SseCustomerKeys.ALGORITHM);
            headers.put("x-amz-server-side-encryption-customer-key-md5", session.sseCustomerKeyMd5);
            headers.put("content-md5", session.contentMd5);
        }
        return headers;
    }

    /** The team's access point has AWS's own host; everything else goes where the store is. */
    private S3Presigner presignerFor(UploadSession session) {
        return session.accessPointArn != null ? accessPoints.presigner() : presigner;
    }

    /**
     * Opens the store's multipart upload for a declared session (after the declaration committed; idempotent). If the
     * store refuses, the session ends (REJECTED) and the caller hears 503.
     */
    void openMultipart(UploadSession session, RequestOrigin origin) {
        if (session.multipartUploadId != null) {
            return;
        }
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(r -> {
                r.bucket(session.bucket).key(session.objectKey).contentType(session.declaredContentType).metadata(metadata(session));
                applyEncryption(session, r::serverSideEncryption, r::ssekmsKeyId, r::bucketKeyEnabled);
            }).uploadId();
        } catch (SdkException e) {
            QuarkusTransaction.requiringNew().run(() -> {
                UploadSession current = UploadSession.findById(session.id, LockModeType.PESSIMISTIC_WRITE);
                if (current.status == UploadSession.Status.PENDING) {
                    close(current, UploadSession.Status.REJECTED, "store_refused", "The store refused to start the multipart upload.",
                            origin);
                    if (current.writeGrantId != null) {
                        // Nothing was uploaded: the grant's use is not spent.
                        grants.giveBackUse(current.writeGrantId);
                    }
                }
            });
            throw e;
        }
        boolean stored = QuarkusTransaction.requiringNew().call(() -> UploadSession.update(
                "multipartUploadId = ?1 where id = ?2 and multipartUploadId is null and status = ?3", uploadId, session.id,
                UploadSession.Status.PENDING) == 1);
        if (stored) {
            session.multipartUploadId = uploadId;
        } else {
            // Another request opened it first, or the upload ended meanwhile: this one is not needed.
            abortQuietly(session.bucket, session.objectKey, uploadId);
            session.multipartUploadId = UploadSession.<UploadSession>findById(session.id).multipartUploadId;
        }
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public UploadSession mine(CurrentUser user, UUID id) {
        return owned(user, id, LockModeType.NONE);
    }

    /** As {@link #owned}, read by plain JDBC and locked: the completion's transactions run without the ORM. */
    private UploadSession lockedMine(CurrentUser user, UUID id) {
        return mineOrMissing(user, id, rows.locked(id).orElse(null));
    }

    private static UploadSession owned(CurrentUser user, UUID id, LockModeType lock) {
        return mineOrMissing(user, id, UploadSession.findById(id, lock));
    }

    private static UploadSession mineOrMissing(CurrentUser user, UUID id, UploadSession session) {
        if (session == null || !session.userId.equals(user.id())) {
            // Someone else's upload looks exactly like a missing one.
            throw GatehouseException.notFound("There is no upload " + id + " of yours.");
        }
        return session;
    }

    /** The multipart upload of one of the user's sessions, opened at the store if that has not happened yet. */
    public UploadSession openedMultipart(CurrentUser user, UUID id, RequestOrigin origin) {
        UploadSession session = mine(user, id);
        requirePendingMultipart(session);
        openMultipart(session, origin);
        return session;
    }

    /**
     * Part URLs, signed in batches on request so that none expires while earlier parts are still uploading. Each
     * batch re-decides the write right (a revoked or expired grant, or a lost membership, ends the upload: 403 and
     * the store's upload is aborted) and is audited in the transaction that signs it.
     */
    public List<SignedPart> signParts(CurrentUser user, UUID id, List<Integer> partNumbers, RequestOrigin origin) {
        if (partNumbers == null || partNumbers.isEmpty() || partNumbers.size() > 100) {
            throw GatehouseException.badRequest("partNumbers", "Ask for 1 to 100 parts at a time.");
        }
        rateLimits.take(RateLimits.Kind.URLS, user.id(), origin == null ? null : origin.clientIp());
        UploadSession opened = openedMultipart(user, id, origin);
        record Batch(List<SignedPart> parts, UploadSession closed, DenialReason refusal) {
        }
        Batch batch = QuarkusTransaction.requiringNew().call(() -> {
            UploadSession session = owned(user, id, LockModeType.PESSIMISTIC_WRITE);
            requirePendingMultipart(session);
            int partCount = partCount(session);
            for (int number : partNumbers) {
                if (number < 1 || number > partCount) {
                    throw GatehouseException.badRequest("partNumbers", "Part numbers run from 1 to " + partCount + ".");
                }
            }
            Instant now = Instant.now();
            DenialReason refusal = endIfRefused(user, session, now, origin);
            if (refusal != null) {
                return new Batch(null, session, refusal);
            }
            spendKms(user, session, partNumbers.size(), origin);
            // Time for two parts: a batch is asked for while the previous one is still uploading.
            Duration ttl = uploadUrlTtl(session, 2 * config.partSize(), now);
            List<SignedPart> parts = new ArrayList<>();
            for (int number : partNumbers) {
                long size = partSize(session, number);
                var signed = presignerFor(session).presignUploadPart(p -> p.signatureDuration(ttl).uploadPartRequest(r -> r
                        .bucket(session.signingBucket()).key(session.objectKey).uploadId(session.multipartUploadId)
                        .partNumber(number).contentLength(size)));
                parts.add(new SignedPart(number, size, signed.url().toString(), signed.expiration()));
                session.extendLinger(signed.expiration(), lingerFor(size));
            }
            audit.record(entry(user.id(), AuditAction.UPLOAD_PARTS_SIGNED, AuditOutcome.ALLOWED, session, origin)
                    .detail("parts", partNumbers)
                    .detail("encryption", session.sseMode.name())
                    .detail("expiresAt", parts.get(0).expiresAt().toString()));
            return new Batch(parts, null, null);
        });
        if (batch.refusal() != null) {
            discardQuietly(batch.closed());
            throw GatehouseException.forbidden(batch.refusal().code(), stopped(batch.refusal()));
        }
        return batch.parts();
    }

    /** What the store already has, so a reloaded page resumes instead of starting over. */
    public List<UploadedPart> uploadedParts(UploadSession session) {
        requirePendingMultipart(session);
        if (session.multipartUploadId == null) {
            return List.of();
        }
        return verifier.storedParts(session);
    }

    /**
     * Completes and verifies. Idempotent: completing a finished upload answers with its outcome again, and one being
     * verified answers VERIFYING. The write right is decided again first; then the session is claimed, the store is
     * asked (no transaction held meanwhile), and the verdict recorded. The object is listed only when it passed.
     * {@code sha256}: the whole file's SHA-256, for a multipart upload declared without it (the browser hashed the
     * file while its parts travelled); if one was declared, a given one must be the same.
     */
    public Completion complete(CurrentUser user, UUID id, String sha256, RequestOrigin origin) {
        String lateSha256 = sha256 == null || sha256.isBlank() ? null : checkedSha256(sha256.strip());
        record Claim(UploadSession session, boolean claimed, DenialReason refusal) {
        }
        Claim claim = QuarkusTransaction.requiringNew().call(() -> {
            UploadSession session = lockedMine(user, id);
            if (session.status == UploadSession.Status.PENDING) {
                takeSha256(session, lateSha256);
            }
            Instant now = Instant.now();
            boolean lost = session.status == UploadSession.Status.VERIFYING
                    && session.verifyingSince.plus(VerificationClaims.STALE).isBefore(now);
            if (session.status != UploadSession.Status.PENDING && !lost) {
                return new Claim(session, false, null);
            }
            DenialReason refusal = endIfRefused(user, session, now, origin);
            if (refusal == null) {
                session.status = UploadSession.Status.VERIFYING;
                session.verifyingSince = now;
            }
            rows.save(session);
            return new Claim(session, refusal == null, refusal);
        });
        if (claim.refusal() != null) {
            discardQuietly(claim.session());
            return new Completion(claim.session(), claim.refusal());
        }
        if (!claim.claimed()) {
            return new Completion(claim.session(), null);
        }
        // A large object read back can take longer than a request should wait: it goes on in the background, and
        // the caller, told VERIFYING (202), asks again.
        Future<Completion> verification = verifications.submit(() -> verifyClaimed(user, claim.session(), origin));
        try {
            return verification.get(config.verifyWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillReading) {
            return new Completion(claim.session(), null);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Completion(claim.session(), null);
        }
    }

    /** The SHA-256 a completion brings: required where none was declared, the same where one was. */
    private static void takeSha256(UploadSession session, String sha256) {
        if (session.declaredSha256 == null) {
            if (sha256 == null) {
                throw GatehouseException.badRequest("sha256", "This upload was declared without its SHA-256: give the "
                        + "whole file's SHA-256 (base64) with its completion.");
            }
            session.declaredSha256 = sha256;
        } else if (sha256 != null && !sha256.equals(session.declaredSha256)) {
            throw GatehouseException.badRequest("sha256", "This is not the SHA-256 declared for this upload.");
        }
    }

    /** Asks the store about a claimed session (no transaction held meanwhile) and records the verdict. */
    private Completion verifyClaimed(CurrentUser user, UploadSession session, RequestOrigin origin) {
        claims.running(session.id);
        Completion completion;
        try {
            UploadVerifier.Check check = verifier.verify(session, partCount(session));
            completion = QuarkusTransaction.requiringNew().call(() -> finish(user, session.id, check, origin));
        } catch (RuntimeException e) {
            // The store could not be asked, or the verdict could not be written: nothing is decided, and the upload
            // is open again for its next completion.
            claims.release(session.id, e);
            throw e;
        } finally {
            claims.ended(session.id);
        }
        if (completion.session().status != UploadSession.Status.VERIFIED) {
            discardQuietly(completion.session());
        }
        return completion;
    }

    @PreDestroy
    void stopVerifying() {
        verifications.shutdownNow();
    }

    private Completion finish(CurrentUser user, UUID id, UploadVerifier.Check check, RequestOrigin origin) {
        UploadSession session = lockedMine(user, id);
        if (session.status != UploadSession.Status.VERIFYING) {
            return new Completion(session, null); // the cleanup job expired it meanwhile
        }
        DenialReason refusal = endIfRefused(user, session, Instant.now(), origin);
        if (refusal == null) {
            recordVerdict(user, session, check, origin);
        }
        rows.save(session);
        return new Completion(session, refusal);
    }

    /** Rejects the session, or lists its object as an item (audited) and marks it verified. */
    private void recordVerdict(CurrentUser user, UploadSession session, UploadVerifier.Check check, RequestOrigin origin) {
        session.verification = check.verification();
        if (!check.passed()) {
            close(session, UploadSession.Status.REJECTED, check.code(), check.reason()
                    + (check.verification() == null ? "" : " Checked: " + check.verification() + "."), origin);
            return;
        }
        ContentItem item = new ContentItem();
        item.bucket = session.bucket;
        item.objectKey = session.objectKey;
        item.title = session.originalFilename;
        item.sizeBytes = check.size();
        item.contentType = session.declaredContentType;
        item.tier = ContentItem.Tier.STANDARD;
        item.ownerTeam = session.teamSlug;
        item.originalFilename = session.originalFilename;
        item.sha256Base64 = session.declaredSha256;
        item.clientEncryption = session.clientEncryption;
        item.sseCustomerKey = session.sseMode == SseMode.SSE_C;
        item.integrity = check.verification();
        item.createdBy = user.id();
        items.insert(item);
        session.status = UploadSession.Status.VERIFIED;
        session.contentItemId = item.id;
        session.completedAt = Instant.now();
        audit.record(entry(user.id(), AuditAction.UPLOAD_VERIFIED, AuditOutcome.SUCCEEDED, session, origin)
                .detail("itemId", item.id)
                .detail("size", check.size())
                .detail("verification", check.verification()));
    }

    /** Cancels an open upload; its multipart upload is aborted and its object (if any) removed. */
    public UploadSession abort(CurrentUser user, UUID id, RequestOrigin origin) {
        UploadSession session = QuarkusTransaction.requiringNew().call(() -> {
            UploadSession open = owned(user, id, LockModeType.PESSIMISTIC_WRITE);
            if (open.status == UploadSession.Status.ABORTED) {
                // Cancelled before: cancelling again asks the store again (the first time it may have been away).
                return open;
            }
            if (open.status != UploadSession.Status.PENDING) {
                throw new GatehouseException(409, "not_in_progress", "This upload already ended (" + open.status + ").");
            }
            close(open, UploadSession.Status.ABORTED, "cancelled", "Cancelled by the uploader.", origin);
            return open;
        });
        discardQuietly(session);
        return session;
    }

    /**
     * Ends an open session (in the caller's transaction) and audits why — the {@code code} in the audit row, the
     * sentence for the uploader on the session and in the row's details; its key is watched while its URLs live.
     */
    void close(UploadSession session, UploadSession.Status status, String code, String reason, RequestOrigin origin) {
        session.status = status;
        session.rejectReason = reason;
        session.completedAt = Instant.now();
        session.sweptAt = null;
        AuditAction action = switch (status) {
            case ABORTED -> AuditAction.UPLOAD_ABORTED;
            case EXPIRED -> AuditAction.UPLOAD_EXPIRED;
            default -> AuditAction.UPLOAD_REJECTED;
        };
        audit.record(entry(origin == null ? "system" : session.userId, action,
                status == UploadSession.Status.REJECTED ? AuditOutcome.DENIED : AuditOutcome.SUCCEEDED, session, origin)
                .reason(code)
                .detail("user", session.userId)
                .detail("message", reason));
    }

    /** An audit row about one upload: its key, the grant that allowed it, where the request came from, its id. */
    private static AuditEntry entry(String actor, AuditAction action, AuditOutcome outcome, UploadSession session,
            RequestOrigin origin) {
        return AuditEntry.of(actor, action, outcome)
                .resource(session.bucket + "/" + session.objectKey)
                .grant(session.writeGrantId)
                .from(origin)
                .detail("uploadId", session.id.toString());
    }

    /**
     * Re-decides the write right of an open session (the grant that opened it still stands, or the user is still a
     * member of the team); when it no longer holds, ends the session (REJECTED, audited) and says why. Null otherwise.
     */
    private DenialReason endIfRefused(CurrentUser user, UploadSession session, Instant now, RequestOrigin origin) {
        DenialReason refusal = access.writeStanding(user, session.teamSlug, session.writeGrantId, now);
        if (refusal != null) {
            close(session, UploadSession.Status.REJECTED, refusal.code(), stopped(refusal), origin);
        }
        return refusal;
    }

    private static String stopped(DenialReason refusal) {
        return switch (refusal) {
            case NO_GRANT -> "You are no longer a member of the team; the upload was stopped.";
            default -> refusal.message().replace("for this item", "for this space") + " The upload was stopped.";
        };
    }

    /**
     * Removes what an ended upload may have left in the store: aborts the multipart upload, deletes the object if
     * there is one. Reports whether an object was removed. S3 failures reach the caller.
     */
    boolean discard(String bucket, String key, String multipartUploadId) {
        if (multipartUploadId != null) {
            abort(bucket, key, multipartUploadId);
        }
        try {
            s3.headObject(r -> r.bucket(bucket).key(key));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
        s3.deleteObject(r -> r.bucket(bucket).key(key));
        return true;
    }

    /** After the session closed: a failure here is left to the cleanup job, which watches the key until its URLs die. */
    private void discardQuietly(UploadSession session) {
        try {
            discard(session.bucket, session.objectKey, session.multipartUploadId);
        } catch (SdkException e) {
            LOG.warnf("Could not clean up upload %s yet (the cleanup job retries): %s", session.id, e.getMessage());
        }
    }

    private void abort(String bucket, String key, String uploadId) {
        try {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
    }

    private void abortQuietly(String bucket, String key, String uploadId) {
        try {
            abort(bucket, key, uploadId);
        } catch (SdkException e) {
            LOG.warnf("Could not abort a spare multipart upload of %s: %s", key, e.getMessage());
        }
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

    /**
     * Files above this go as multipart uploads. Where a signed PUT could replace the object after it was verified
     * (no If-None-Match, and no SHA-256 the store is trusted to check), every file does: an assembled multipart
     * upload cannot be written again through its part URLs.
     */
    public long multipartThreshold() {
        return multipartThreshold(capabilities.get());
    }

    private long multipartThreshold(StoreCapabilities.Capabilities store) {
        return store.writeOnce() || store.integrity() == StoreCapabilities.Integrity.STORE_CHECKSUM
                ? config.multipartThreshold() : 0;
    }

    /**
     * What key the Upload page must ask for: {@code encrypt} (the team encrypts in the browser), {@code sse-c} (the
     * team's own key goes to the store), or null.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public String browserKey(String teamSlug) {
        Team team = teamSlug == null ? null : Team.findById(teamSlug);
        if (team == null) {
            return null;
        }
        return team.sseMode == SseMode.SSE_C ? "sse-c" : team.clientSideEncryption ? "encrypt" : null;
    }

    /** How many files the team's policy lets one user have in flight (the default for a team not stored yet). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public int maxFiles(String teamSlug) {
        Team team = teamSlug == null ? null : Team.findById(teamSlug);
        return team == null ? teamDefaults.maxFilesPerSession() : team.policy(teamDefaults).maxFilesPerSession();
    }

    private static void requirePendingMultipart(UploadSession session) {
        if (!session.multipart()) {
            throw new GatehouseException(409, "not_multipart", "This upload is a single PUT; it has no parts.");
        }
        if (session.status != UploadSession.Status.PENDING) {
            throw new GatehouseException(409, "not_in_progress", "This upload already ended (" + session.status + ").");
        }
    }

    /** The team to upload into, read without the ORM (its row is locked last, for the quota: {@link TeamUsage#lock}). */
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
        Team team = teamDirectory.read(slug);
        if (team == null && user.isMemberOf(slug)) {
            // A team the IdP names but Gatehouse has not stored yet starts with the default policy.
            teamDirectory.ensure(slug);
            team = teamDirectory.read(slug);
        }
        if (team == null) {
            throw GatehouseException.badRequest("team", "There is no team \"" + slug + "\".");
        }
        return team;
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
        return session.clientEncryption == null ? Map.of(META_UPLOAD_ID, session.id.toString())
                : Map.of(META_UPLOAD_ID, session.id.toString(), META_ENCRYPTION, session.clientEncryption);
    }

    /** How long {@code bytes} take at {@code bytesPerSecond}. */
    static Duration transferAt(long bytes, long bytesPerSecond) {
        return Duration.ofSeconds((bytes + bytesPerSecond - 1) / Math.max(1, bytesPerSecond));
    }

    /** How long a request for {@code bytes} that started just before its URL expired may go on writing. */
    private Duration lingerFor(long bytes) {
        Duration transfer = transferAt(bytes, config.slowestBytesPerSecond());
        return transfer.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : transfer;
    }

    /**
     * An upload URL lives for its transfer at the assumed speed plus time to start, never longer than the PUT cap, the
     * session's window or the signing credentials.
     */
    private Duration uploadUrlTtl(UploadSession session, long bytes, Instant now) {
        return lifetimes.bound(config.putTtlBase().plus(transferAt(bytes, config.assumedBytesPerSecond())), now,
                now.plus(config.putTtl()), session.expiresAt);
    }

    /**
     * SSE-KMS URLs cost KMS requests: taken from the budget before they are signed, refused (429, Retry-After) when it
     * is spent — inside the transaction, so the refused declaration or batch leaves nothing behind but its audit row
     * (written in a transaction of its own; a refused declaration's upload id names one that was never stored).
     */
    private void spendKms(CurrentUser user, UploadSession session, int urls, RequestOrigin origin) {
        if (session.sseMode != SseMode.SSE_KMS) {
            return;
        }
        KmsBudget.Exhausted spent = kmsBudget.spend(session.teamSlug, urls);
        if (spent != null) {
            audit.recordAlone(entry(user.id(), AuditAction.UPLOAD_DENIED, AuditOutcome.DENIED, session, origin)
                    .reason("kms_budget").detail("urls", urls));
            throw new RetryLater(spent.retryAfterSeconds(), "kms_budget", spent.message());
        }
    }

    private static void applyEncryption(UploadSession session, java.util.function.Consumer<ServerSideEncryption> sse,
            java.util.function.Consumer<String> kmsKey, java.util.function.Consumer<Boolean> bucketKey) {
        // SseMode.DEFAULT signs nothing: the bucket's default encryption applies.
        if (session.sseMode.header() != null) {
            sse.accept(session.sseMode.header());
        }
        if (session.sseMode == SseMode.SSE_KMS && session.kmsKeyId != null) {
            kmsKey.accept(session.kmsKeyId);
            // The S3 Bucket Key: objects share a data key, and S3 asks KMS far less often.
            bucketKey.accept(true);
        }
    }
}
