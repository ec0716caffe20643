package io.gatehouse.teams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.S3Config;
import io.gatehouse.storage.SseCustomerKeys;
import io.gatehouse.storage.SseMode;
import io.gatehouse.web.GatehouseException;

/** Teams as admins see them: stored settings, the policy in effect, and what their uploads use. */
@ApplicationScoped
public class TeamService {

    /** S3's largest object. */
    static final long MAX_OBJECT_LIMIT = 5L * 1024 * 1024 * 1024 * 1024;
    private static final String CONTENT_TYPE = "[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*";

    /** A team with its effective policy; {@code *Default} says the value is the configured default. */
    public record TeamView(String slug, String displayName, String keyPrefix, List<String> allowedContentTypes,
            boolean typesDefault, long maxObjectBytes, boolean maxObjectDefault, long quotaBytes, boolean quotaDefault,
            int maxFilesPerSession, boolean maxFilesDefault, long usedBytes, SseMode sseMode, String kmsKeyId,
            boolean clientSideEncryption, boolean membersRead, Instant lastSeenAt, Instant updatedAt) {

        public String typesText() {
            return String.join(", ", allowedContentTypes);
        }

        public int usedPercent() {
            return (int) Math.min(100, usedBytes * 100 / Math.max(1, quotaBytes));
        }
    }

    /** An edit as submitted; blank policy fields mean "use the default". */
    public record Settings(String displayName, String allowedContentTypes, String maxObjectBytes, String quotaBytes,
            String maxFilesPerSession, String sseMode, String kmsKeyId, boolean clientSideEncryption, boolean membersRead) {

        /** The form as it stands for a stored team: overrides filled in, defaults left blank. */
        static Settings of(TeamView team) {
            return new Settings(team.displayName(), team.typesDefault() ? "" : team.typesText(),
                    team.maxObjectDefault() ? "" : io.gatehouse.web.TemplateExtensions.exactSize(team.maxObjectBytes()),
                    team.quotaDefault() ? "" : io.gatehouse.web.TemplateExtensions.exactSize(team.quotaBytes()),
                    team.maxFilesDefault() ? "" : Integer.toString(team.maxFilesPerSession()), team.sseMode().name(),
                    team.kmsKeyId() == null ? "" : team.kmsKeyId(), team.clientSideEncryption(), team.membersRead());
        }

        /** Whether applying these settings changes the team's encryption (which needs a step-up). */
        boolean changesEncryption(Team team) {
            String mode = blankToNull(sseMode);
            return mode != null && !mode.equals(team.sseMode.name()) || !Objects.equals(blankToNull(kmsKeyId), team.kmsKeyId)
                    || clientSideEncryption != team.clientSideEncryption;
        }
    }

    private final TeamUsage teamUsage;
    private final TeamDefaults defaults;
    private final AuditService audit;
    private final S3Config s3;

    TeamService(TeamUsage teamUsage, TeamDefaults defaults, AuditService audit, S3Config s3) {
        this.teamUsage = teamUsage;
        this.defaults = defaults;
        this.audit = audit;
        this.s3 = s3;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<TeamView> list() {
        Map<String, Long> usage = teamUsage.byTeam();
        return Team.<Team>listAll(io.quarkus.panache.common.Sort.by("slug")).stream()
                .map(team -> view(team, usage.getOrDefault(team.slug, 0L))).toList();
    }

    /** The teams whose files are encrypted in the browser before upload (the posture page lists them). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<String> encryptingInTheBrowser() {
        return Team.<Team>list("clientSideEncryption", io.quarkus.panache.common.Sort.by("slug"), true).stream()
                .map(team -> team.slug).toList();
    }

    /** The teams whose uploads are encrypted this way (the posture page's KMS budget names the SSE-KMS ones). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<String> using(SseMode mode) {
        return Team.<Team>list("sseMode", io.quarkus.panache.common.Sort.by("slug"), mode).stream().map(team -> team.slug)
                .toList();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public TeamView get(String slug) {
        return view(find(slug, LockModeType.NONE), teamUsage.bytes(slug));
    }

    public boolean changesEncryption(String slug, Settings settings) {
        return settings.changesEncryption(find(slug, LockModeType.NONE));
    }

    /** Validates every field first (field-level message for the first problem), then saves and audits the changes. */
    @Transactional
    public TeamView update(CurrentUser admin, String slug, Settings settings, RequestOrigin origin) {
        Team team = find(slug, LockModeType.PESSIMISTIC_WRITE);
        String displayName = blankToNull(settings.displayName());
        if (displayName == null || displayName.length() > 200) {
            throw GatehouseException.badRequest("displayName", "Give the team a name of 1 to 200 characters.");
        }
        io.gatehouse.web.TextInput.requireLine("displayName", displayName);
        List<String> types = contentTypes(settings.allowedContentTypes());
        Long maxObject = bytes("maxObjectBytes", settings.maxObjectBytes(), MAX_OBJECT_LIMIT);
        Long quota = bytes("quotaBytes", settings.quotaBytes(), Long.MAX_VALUE / 2);
        Long maxFiles = positive("maxFilesPerSession", settings.maxFilesPerSession(), 10_000);
        SseMode sseMode = sseMode(settings.sseMode(), team.sseMode);
        String kmsKey = blankToNull(settings.kmsKeyId());
        if (sseMode == SseMode.SSE_KMS && !SseMode.isKmsKey(kmsKey)) {
            throw GatehouseException.badRequest("kmsKeyId",
                    "SSE_KMS needs a KMS key: a key ARN, an alias ARN, a key id (UUID) or alias/name.");
        }
        if (sseMode == SseMode.SSE_C && sseMode != team.sseMode && SseCustomerKeys.httpsProblem(s3) != null) {
            throw new GatehouseException(422, "sse_c_needs_https", SseCustomerKeys.httpsProblem(s3), "sseMode");
        }
        if (sseMode == SseMode.SSE_C && settings.clientSideEncryption()) {
            throw GatehouseException.badRequest("clientSideEncryption", "A team uses its own key (SSE-C) or encrypts in "
                    + "the browser, not both: with SSE-C the key already never leaves the browser.");
        }
        if (sseMode != SseMode.SSE_KMS && kmsKey != null) {
            throw GatehouseException.badRequest("kmsKeyId", "A KMS key is only used with SSE_KMS; leave it empty.");
        }
        Map<String, Object> changes = new LinkedHashMap<>();
        change(changes, "displayName", team.displayName, displayName);
        change(changes, "allowedContentTypes", team.allowedContentTypes, types);
        change(changes, "maxObjectBytes", team.maxObjectBytes, maxObject);
        change(changes, "quotaBytes", team.quotaBytes, quota);
        change(changes, "maxFilesPerSession", team.maxFilesPerSession, maxFiles == null ? null : maxFiles.intValue());
        change(changes, "sseMode", team.sseMode, sseMode);
        change(changes, "kmsKeyId", team.kmsKeyId, kmsKey);
        change(changes, "clientSideEncryption", team.clientSideEncryption, settings.clientSideEncryption());
        change(changes, "membersRead", team.membersRead, settings.membersRead());
        if (!changes.isEmpty()) {
            team.displayName = displayName;
            team.allowedContentTypes = types;
            team.maxObjectBytes = maxObject;
            team.quotaBytes = quota;
            team.maxFilesPerSession = maxFiles == null ? null : maxFiles.intValue();
            team.sseMode = sseMode;
            team.kmsKeyId = kmsKey;
            team.clientSideEncryption = settings.clientSideEncryption();
            team.membersRead = settings.membersRead();
            team.updatedAt = Instant.now();
            AuditEntry entry = AuditEntry.of(admin.id(), AuditAction.TEAM_UPDATED, AuditOutcome.SUCCEEDED).resource("team/" + slug).from(origin);
            changes.forEach(entry::detail);
            audit.record(entry);
        }
        return view(team, teamUsage.bytes(slug));
    }

    private static void change(Map<String, Object> changes, String field, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("from", before);
            pair.put("to", after);
            changes.put(field, pair);
        }
    }

    private Team find(String slug, LockModeType lock) {
        Team team = slug == null ? null : Team.findById(slug, lock);
        if (team == null) {
            throw GatehouseException.notFound("There is no team \"" + slug + "\".");
        }
        return team;
    }

    private TeamView view(Team team, long used) {
        Team.Policy policy = team.policy(defaults);
        return new TeamView(team.slug, team.displayName, team.keyPrefix, policy.allowedContentTypes(),
                team.allowedContentTypes == null, policy.maxObjectBytes(), team.maxObjectBytes == null, policy.quotaBytes(),
                team.quotaBytes == null, policy.maxFilesPerSession(), team.maxFilesPerSession == null, used, team.sseMode,
                team.kmsKeyId, team.clientSideEncryption, team.membersRead, team.lastSeenAt, team.updatedAt);
    }

    private static SseMode sseMode(String raw, SseMode current) {
        if (raw == null || raw.isBlank()) {
            return current;
        }
        try {
            return SseMode.valueOf(raw.strip());
        } catch (IllegalArgumentException e) {
            throw GatehouseException.badRequest("sseMode", "Pick DEFAULT (the bucket's default encryption), SSE_S3, SSE_KMS "
                    + "or SSE_C (the team's own key, held in the browser).");
        }
    }

    private static List<String> contentTypes(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        List<String> types = new ArrayList<>();
        for (String type : Arrays.stream(raw.split("[,\\s]+")).filter(t -> !t.isBlank()).map(String::strip).toList()) {
            String lower = type.toLowerCase(java.util.Locale.ROOT);
            if (!lower.matches(CONTENT_TYPE) || lower.length() > 127) {
                throw GatehouseException.badRequest("allowedContentTypes", "\"" + type + "\" is not a media type like text/plain.");
            }
            if (!types.contains(lower)) {
                types.add(lower);
            }
        }
        return types;
    }

    private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile(
            "(\\d+(?:\\.\\d+)?)\\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** A size in bytes, or with a unit: "500 MiB", "5 GiB", "2 TB". */
    static Long bytes(String field, String raw, long max) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        var match = SIZE.matcher(raw.strip());
        if (match.matches()) {
            String unit = match.group(2) == null ? "B" : match.group(2).toUpperCase(java.util.Locale.ROOT);
            long factor = switch (unit) {
                case "KIB" -> 1L << 10;
                case "MIB" -> 1L << 20;
                case "GIB" -> 1L << 30;
                case "TIB" -> 1L << 40;
                case "KB" -> 1_000L;
                case "MB" -> 1_000_000L;
                case "GB" -> 1_000_000_000L;
                case "TB" -> 1_000_000_000_000L;
                default -> 1L;
            };
            java.math.BigDecimal value = new java.math.BigDecimal(match.group(1)).multiply(java.math.BigDecimal.valueOf(factor));
            if (value.signum() > 0 && value.compareTo(java.math.BigDecimal.valueOf(max)) <= 0) {
                return value.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
            }
        }
        throw GatehouseException.badRequest(field, "Use a size such as 500 MiB or 5 GiB (at most " + max
                + " bytes), or leave it empty for the default.");
    }

    private static Long positive(String field, String raw, long max) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            long value = Long.parseLong(raw.strip().replace("_", ""));
            if (value > 0 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw GatehouseException.badRequest(field, "Use a whole number from 1 to " + max + ", or leave it empty for the default.");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
