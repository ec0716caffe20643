package io.gatehouse.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.grants.AccessDecision;
import io.gatehouse.grants.DenialReason;
import io.gatehouse.grants.Grant;
import io.gatehouse.grants.GrantService;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.Role;
import io.gatehouse.storage.S3Config;
import io.gatehouse.storage.UrlLifetimes;
import io.quarkus.qute.TemplateExtension;
import io.quarkus.security.PermissionChecker;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The one content-access policy: who uses content at all, "may this user read this item now, and why not?" and
 * "may this user write this key of a team's space now?". The catalog's badges, the download answer and the upload
 * checks all ask here, so a badge and a button can never disagree. The decisions themselves are pure functions
 * ({@link #decideRead}, {@link #decideWrite}), tested as a table.
 */
@ApplicationScoped
public class ContentAccess {

    /** The permission content resources require ({@code @PermissionsAllowed(ContentAccess.USE_CONTENT)}). */
    public static final String USE_CONTENT = "use-content";

    private static final Set<String> CONTENT_ROLES = Set.of(Role.USER, Role.PREMIUM, Role.ADMIN);

    /** What a READ decision needs to know of an item. */
    public record Readable(String bucket, String key, ContentItem.Tier tier) {

        static Readable of(ContentItem item) {
            return new Readable(item.bucket, item.objectKey, item.tier);
        }
    }

    private final GrantService grants;
    private final S3Config s3;

    ContentAccess(GrantService grants, S3Config s3) {
        this.grants = grants;
        this.s3 = s3;
    }

    /** The catalog, downloads and uploads are for these roles: an auditor-only account sees the audit trail and nothing else. */
    public static boolean usesContent(Set<String> roles) {
        return roles.stream().anyMatch(CONTENT_ROLES::contains);
    }

    /** For templates: {@code user.usesContent}. */
    @TemplateExtension
    static boolean usesContent(CurrentUser user) {
        return usesContent(user.roles());
    }

    @PermissionChecker(USE_CONTENT)
    boolean mayUseContent(SecurityIdentity identity) {
        return !identity.isAnonymous() && usesContent(identity.getRoles());
    }

    /** May this user read this item now, under which rule, and if not, why not. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public AccessDecision read(CurrentUser user, ContentItem item, Instant now) {
        return read(user, Readable.of(item), now);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public AccessDecision read(CurrentUser user, Readable item, Instant now) {
        List<Grant> candidates = grants.grantsFor(user, item.bucket(), item.key(), Grant.Permission.READ);
        return decideRead(user, item, grants.memberSpaces(user, item.bucket()), candidates, now);
    }

    /**
     * The same decision for many items of one bucket (a catalog page), from one read of the user's grants on those
     * items' keys and their prefixes: its cost grows with the page, not with the grants a user holds.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Function<ContentItem, AccessDecision> reader(CurrentUser user, List<ContentItem> items, Instant now) {
        List<String> keys = items.stream().filter(item -> item.bucket.equals(s3.bucket())).map(item -> item.objectKey).toList();
        List<Grant> candidates = keys.isEmpty() ? List.of() : grants.grantsFor(user, s3.bucket(), keys, Grant.Permission.READ);
        Map<String, String> spaces = grants.memberSpaces(user, s3.bucket());
        return item -> item.bucket.equals(s3.bucket())
                ? decideRead(user, Readable.of(item), spaces, candidates, now)
                : read(user, item, now);
    }

    /** May this user write this key of a team's space now: as a member of the team, or under which WRITE grant. */
    @Transactional(Transactional.TxType.MANDATORY)
    public AccessDecision write(CurrentUser user, String team, String key, Instant now) {
        if (user.isMemberOf(team)) {
            return AccessDecision.allowMember(team);
        }
        return decideWrite(user, team, grants.grantsFor(user, s3.bucket(), key, Grant.Permission.WRITE), key, now);
    }

    /**
     * Whether an upload opened earlier may go on: the user is (still) a member of its team, or the WRITE grant that
     * opened it still stands — its use was spent by this very upload, so the use count does not count against it.
     * Null when so, else why not.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public DenialReason writeStanding(CurrentUser user, String team, Long writeGrantId, Instant now) {
        if (user.isMemberOf(team)) {
            return null;
        }
        if (writeGrantId == null) {
            return DenialReason.NO_GRANT;
        }
        Grant grant = grants.find(writeGrantId).orElse(null);
        if (grant == null) {
            return DenialReason.GRANT_REVOKED;
        }
        return grant.blocksContinuingAt(now);
    }

    /**
     * Reads: the tier first (premium items need the premium role, whatever grants say); then the user's own team
     * space (it spends no use); then the best grant, which must leave a URL at least a second to live.
     */
    static AccessDecision decideRead(CurrentUser user, Readable item, Map<String, String> memberSpaces, List<Grant> candidates,
            Instant now) {
        if (item.tier() == ContentItem.Tier.PREMIUM && !user.hasRole(Role.PREMIUM)) {
            return AccessDecision.deny(DenialReason.PREMIUM_REQUIRED);
        }
        AccessDecision decision = AccessDecision.decide(memberSpaces, candidates, item.key(), now);
        if (decision.grant() != null && Duration.between(now, decision.grant().validUntil).compareTo(UrlLifetimes.SHORTEST) < 0) {
            return AccessDecision.deny(DenialReason.GRANT_EXPIRED);
        }
        return decision;
    }

    /** Writes outside one's own team: a WRITE grant covering the key, in force and with a use left. */
    static AccessDecision decideWrite(CurrentUser user, String team, List<Grant> candidates, String key, Instant now) {
        if (user.isMemberOf(team)) {
            return AccessDecision.allowMember(team);
        }
        return AccessDecision.decide(candidates, key, now);
    }
}
