package io.gatehouse.accesspoints;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.db.Sql;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.posture.BucketPolicyEditor;
import io.gatehouse.storage.UrlSigner;
import io.gatehouse.storage.S3Clients;
import io.gatehouse.storage.S3Config;
import io.gatehouse.teams.Team;
import io.gatehouse.web.GatehouseException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.S3ControlException;

/**
 * A team's access point: created at S3 Control with Block Public Access on and a policy that reaches only the team's
 * prefix, recorded next to the team, compared with what S3 Control reports. S3 Control calls are made outside any
 * database transaction; a create whose policy cannot be attached is deleted again, or recorded INCOMPLETE when even
 * that fails — never left silently half-configured.
 */
@ApplicationScoped
public class AccessPointService {

    public enum State {
        NONE, OK, DRIFT, INCOMPLETE, NOT_SUPPORTED
    }

    /** The API's and the page's view; {@code drift} lists what S3 Control reports otherwise than the record. */
    public record View(String team, State state, String name, String arn, String alias, String networkOrigin,
            String vpcId, String teamRoleArn, String policy, List<String> drift, String vpcEndpointPolicy,
            String message) {
    }

    /** A create or update: all optional but the origin ({@code INTERNET} or {@code VPC}, the latter with a VPC id). */
    public record Change(String name, String networkOrigin, String vpcId, String teamRoleArn) {
    }

    /** The bucket policy statement that hands access control to the account's access points, before and after. */
    public record Delegation(String statement, String explanation, String before, String after, String change) {
    }

    /**
     * Where a team's URLs go: its access point's ARN, and the VPC they work from only (VPC origin), else null.
     */
    public record Route(String arn, String vpcOnly) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String NAME_PREFIX = "gatehouse-";

    private final AccessPointConfig config;
    private final S3Config s3Config;
    private final AuditService audit;
    private final BucketPolicyEditor policies;
    private final Sql sql;
    /** Why this deployment has no access points (fixed by its configuration), or null. */
    private final String unsupported;
    private final S3ControlClient client;
    private final AccessPointControl control;
    /** Signs URLs through access points: AWS's own hosts, virtual-hosted (an ARN has its own address). */
    private final S3Presigner presigner;
    private final UrlSigner urlSigner;

    @Inject
    AccessPointService(AccessPointConfig config, S3Config s3Config, AuditService audit, AwsCredentialsProvider credentials,
            BucketPolicyEditor policies, Sql sql) {
        this.sql = sql;
        this.config = config;
        this.s3Config = s3Config;
        this.audit = audit;
        this.policies = policies;
        this.unsupported = supportProblem(config, s3Config);
        this.client = unsupported == null
                ? AccessPointControl.client(s3Config.region(), credentials, config.controlEndpoint()) : null;
        this.control = client == null ? null : new AccessPointControl(client, config.accountId().orElseThrow());
        this.presigner = client == null ? null
                : S3Presigner.builder().region(Region.of(s3Config.region())).credentialsProvider(credentials).build();
        this.urlSigner = presigner == null ? null : new UrlSigner(presigner, credentials);
    }

    /** The S3 Control calls, for the Object Lambda listing; null where there is no S3 Control. */
    AccessPointControl control() {
        return control;
    }

    /** The GET and single-PUT signer for access point ARNs (see {@link #presigner()}); null without S3 Control. */
    public UrlSigner urlSigner() {
        return urlSigner;
    }

    /** The presigner for URLs whose bucket is an access point ARN from {@link #route}; null without S3 Control. */
    public S3Presigner presigner() {
        return presigner;
    }

    /** Why this deployment has no access points, or null. */
    public String unsupported() {
        return unsupported;
    }

    private static String supportProblem(AccessPointConfig config, S3Config s3Config) {
        if (S3Clients.endpoint(s3Config).isPresent() && config.controlEndpoint().isEmpty()) {
            return "This store (" + S3Clients.endpoint(s3Config).get() + ") does not implement S3 Control: access points "
                    + "are AWS's. Gatehouse keeps every team inside its prefix itself, as it always does.";
        }
        if (config.accountId().filter(id -> id.matches("\\d{12}")).isEmpty()) {
            return "Set gatehouse.access-points.account-id (the 12-digit account that owns the bucket) to use access points.";
        }
        if (config.gatehouseRoleArn().filter(AccessPointPolicies::isRoleArn).isEmpty()) {
            return "Set gatehouse.access-points.gatehouse-role-arn (the IAM role Gatehouse signs with) to use access points.";
        }
        return null;
    }

    /** Every team's recorded access point, each against S3 Control (none where there is no S3 Control). */
    public List<View> list() {
        if (unsupported != null) {
            return List.of();
        }
        return AccessPoint.<AccessPoint>listAll(io.quarkus.panache.common.Sort.by("teamSlug")).stream()
                .map(record -> current(team(record.teamSlug), record)).toList();
    }

    public View view(String slug) {
        Team team = team(slug);
                if (unsupported != null) {
            return new View(slug, State.NOT_SUPPORTED, null, null, null, null, null, null, null, List.of(), null, unsupported);
        }
        return current(team, AccessPoint.findById(slug));
    }

    /** The record (null: none) against what S3 Control reports now. */
    private View current(Team team, AccessPoint record) {
        String slug = team.slug;
        if (record == null) {
            return new View(slug, State.NONE, AccessPointPolicies.nameFor(slug), null, null, null, null, null,
                    null, List.of(), null, "Team " + slug + " has no access point: its URLs are signed for the bucket.");
        }
        if (record.state == AccessPoint.Recorded.INCOMPLETE) {
            return view(record, team, State.INCOMPLETE, List.of(), "Creating the access point failed half-way and could "
                    + "not be undone: delete it, then create it again.");
        }
        List<String> drift = new ArrayList<>();
        try {
            Optional<AccessPointControl.Described> described = control.describe(record.name);
            if (described.isEmpty()) {
                drift.add("S3 Control has no access point " + record.name + " any more");
            } else {
                drift.addAll(differences(record, described.get()));
            }
        } catch (SdkException e) {
            return view(record, team, State.DRIFT, List.of("S3 Control could not be asked: " + describe(e)), null);
        }
        return view(record, team, drift.isEmpty() ? State.OK : State.DRIFT, drift, drift.isEmpty()
                ? "URLs for " + slug + "'s files are signed through this access point." : null);
    }

    private View view(AccessPoint record, Team team, State state, List<String> drift, String message) {
        String vpcPolicy = record.networkOrigin == AccessPoint.Origin.VPC && record.arn != null
                ? AccessPointPolicies.vpcEndpointPolicy(s3Config.bucket(), record.arn, team.keyPrefix) : null;
        return new View(record.teamSlug, state, record.name, record.arn, record.alias, record.networkOrigin.name(),
                record.vpcId, record.teamRoleArn, record.policy, drift, vpcPolicy, message);
    }

    private List<String> differences(AccessPoint record, AccessPointControl.Described actual) {
        List<String> drift = new ArrayList<>();
        if (!s3Config.bucket().equals(actual.bucket())) {
            drift.add("it serves bucket " + actual.bucket() + ", not " + s3Config.bucket());
        }
        if (!record.networkOrigin.name().equalsIgnoreCase(String.valueOf(actual.networkOrigin()))) {
            drift.add("its network origin is " + actual.networkOrigin() + ", not " + record.networkOrigin);
        }
        if (!Objects.equals(record.vpcId, actual.vpcId())) {
            drift.add("its VPC is " + actual.vpcId() + ", not " + record.vpcId);
        }
        if (!actual.blocksPublicAccess()) {
            drift.add("its Block Public Access settings are not all on");
        }
        if (!sameJson(record.policy, actual.policy())) {
            drift.add(actual.policy() == null ? "it has no policy" : "its policy differs from the one Gatehouse attached");
        }
        return drift;
    }

    /**
     * Creates the team's access point (or, when it exists, attaches the policy again: a changed team role, or repairing
     * drift). Audited before (ALLOWED) and after (SUCCEEDED or FAILED with S3 Control's code).
     */
    public View put(CurrentUser admin, String slug, Change change, RequestOrigin origin) {
        Team team = team(slug);
                if (unsupported != null) {
            throw new GatehouseException(409, "not_supported", unsupported);
        }
        AccessPoint existing = AccessPoint.findById(slug);
        AccessPoint wanted = checked(team, change, existing);
        String account = config.accountId().orElseThrow();
        String arn = AccessPointPolicies.accessPointArn(s3Config.region(), account, wanted.name);
        List<String> principals = new ArrayList<>(List.of(config.gatehouseRoleArn().orElseThrow()));
        if (wanted.teamRoleArn != null) {
            principals.add(wanted.teamRoleArn);
        }
        wanted.policy = AccessPointPolicies.teamPolicy(arn, team.keyPrefix, principals);
        boolean creating = existing == null || existing.state == AccessPoint.Recorded.INCOMPLETE;
        audit.recordAlone(entry(admin, slug, AuditOutcome.ALLOWED, origin).detail("change", creating ? "create" : "policy")
                .detail("name", wanted.name).detail("networkOrigin", wanted.networkOrigin.name()).detail("vpcId", wanted.vpcId));
        try {
            if (creating) {
                var created = control.create(wanted.name, s3Config.bucket(), wanted.vpcId);
                wanted.arn = created.arn() == null ? arn : created.arn();
                wanted.alias = created.alias();
            } else {
                wanted.arn = existing.arn;
                wanted.alias = existing.alias;
            }
            attach(admin, slug, wanted, creating, origin);
        } catch (S3ControlException e) {
            audit.recordAlone(entry(admin, slug, AuditOutcome.FAILED, origin).reason(AccessPointControl.code(e)));
            throw refusal(e);
        } catch (SdkException e) {
            audit.recordAlone(entry(admin, slug, AuditOutcome.FAILED, origin).reason("s3_control_unavailable"));
            throw new GatehouseException(502, "s3_control_failed", "S3 Control did not answer (" + describe(e) + ").");
        }
        save(admin, wanted, AccessPoint.Recorded.OK);
        audit.recordAlone(entry(admin, slug, AuditOutcome.SUCCEEDED, origin).detail("arn", wanted.arn));
        wanted.state = AccessPoint.Recorded.OK;
        return current(team, wanted);
    }

    /** Attaches the policy; a fresh access point whose policy fails is deleted again (or recorded INCOMPLETE). */
    private void attach(CurrentUser admin, String slug, AccessPoint wanted, boolean creating, RequestOrigin origin) {
        try {
            control.putPolicy(wanted.name, wanted.policy);
        } catch (S3ControlException e) {
            if (!creating) {
                throw e;
            }
            try {
                control.delete(wanted.name);
            } catch (SdkException rollbackFailed) {
                save(admin, wanted, AccessPoint.Recorded.INCOMPLETE);
                audit.recordAlone(entry(admin, slug, AuditOutcome.FAILED, origin).reason("incomplete"));
                throw new GatehouseException(502, "access_point_incomplete", "The access point " + wanted.name + " was "
                        + "created, but its policy could not be attached (" + AccessPointControl.code(e) + ") and deleting "
                        + "it again failed too (" + describe(rollbackFailed) + "). It is marked INCOMPLETE and not used: "
                        + "delete it, then create it again.");
            }
            throw e;
        }
    }

    public View delete(CurrentUser admin, String slug, RequestOrigin origin) {
        Team team = team(slug);
        AccessPoint existing = AccessPoint.findById(slug);
        if (existing == null) {
            throw GatehouseException.notFound("Team " + slug + " has no access point.");
        }
        audit.recordAlone(entry(admin, slug, AuditOutcome.ALLOWED, origin).detail("change", "delete").detail("name", existing.name));
        try {
            control.delete(existing.name);
        } catch (S3ControlException e) {
            audit.recordAlone(entry(admin, slug, AuditOutcome.FAILED, origin).reason(AccessPointControl.code(e)));
            throw refusal(e);
        }
        QuarkusTransaction.requiringNew().run(() -> AccessPoint.deleteById(slug));
        audit.recordAlone(entry(admin, slug, AuditOutcome.SUCCEEDED, origin).detail("change", "delete"));
        return current(team, null);
    }

    /**
     * The delegation statement merged into the bucket's policy (statements Gatehouse did not write kept as they are):
     * requests that come through an access point of this account are allowed by the bucket, so each access point's
     * own policy decides, and the bucket policy stays lean.
     */
    public Delegation delegation() {
                if (unsupported != null) {
            throw new GatehouseException(409, "not_supported", unsupported);
        }
        var statement = AccessPointPolicies.delegation(s3Config.bucket(), config.accountId().orElseThrow());
        String before = policies.current();
        var merge = policies.merge(before, List.of(statement));
        return new Delegation(statement.toPrettyString(), "Allows, at the bucket, every request that arrives through an "
                + "access point of account " + config.accountId().get() + " (condition s3:DataAccessPointAccount); what each "
                + "one may do is then up to that access point's own policy, which Gatehouse keeps to the team's prefix.",
                before, merge.policy(), "PutBucketPolicy: add " + merge.added() + ", replace " + merge.replaced() + ", keep "
                        + merge.kept() + " statement(s) Gatehouse did not write");
    }

    /** Merges the delegation into the bucket policy (proved and rolled back like every policy change), audited. */
    public Delegation applyDelegation(CurrentUser admin, RequestOrigin origin) {
        Delegation plan = delegation();
        audit.recordAlone(entry(admin, "*", AuditOutcome.ALLOWED, origin).detail("change", "delegation"));
        try {
            policies.put(plan.before(), plan.after());
        } catch (GatehouseException e) {
            audit.recordAlone(entry(admin, "*", AuditOutcome.FAILED, origin).reason(e.code()));
            throw e;
        }
        audit.recordAlone(entry(admin, "*", AuditOutcome.SUCCEEDED, origin).detail("change", "delegation"));
        return delegation();
    }

    /**
     * Where a team's URLs for {@code key} go: its complete access point, and only for keys under the team's prefix (a
     * catalog item elsewhere goes through the bucket). Empty: the bucket. One primary-key read, on the hot path.
     */
    public Optional<Route> route(String teamSlug, String key) {
        if (!routes(teamSlug, key)) {
            return Optional.empty();
        }
        // Plain JDBC: no ORM session or transaction on the download path. vpc_id is set exactly for VPC origin (V13).
        return sql.one("read the access point of " + teamSlug, "SELECT arn, vpc_id FROM access_point ap WHERE team_slug = ? AND "
                + COMPLETE, row -> new Route(row.getString(1), row.getString(2)), teamSlug);
    }

    /**
     * The same route read as part of another statement (the download's item read, one round trip for both): this
     * joins the complete access point of the team that {@code teamColumn} names; {@link #ROUTE_COLUMNS} selects its
     * ARN and VPC id, and {@link #route(String, String, String, String)} turns them into the route.
     */
    public static String routeJoin(String teamColumn) {
        return " LEFT JOIN access_point ap ON ap.team_slug = " + teamColumn + " AND " + COMPLETE;
    }

    /** An access point URLs may go through: created at the store (its ARN known) and its policy applied (V13's state). */
    private static final String COMPLETE = "ap.state = 'OK' AND ap.arn IS NOT NULL";

    /** The two columns of {@link #routeJoin}: the access point's ARN and its VPC id (null but for VPC origin). */
    public static final String ROUTE_COLUMNS = "ap.arn, ap.vpc_id";

    /** {@link #route(String, String)} from the columns of {@link #routeJoin}, read with the item. */
    public Optional<Route> route(String teamSlug, String key, String joinedArn, String joinedVpcId) {
        return routes(teamSlug, key) && joinedArn != null ? Optional.of(new Route(joinedArn, joinedVpcId)) : Optional.empty();
    }

    private boolean routes(String teamSlug, String key) {
        return teamSlug != null && control != null && key.startsWith(Team.keyPrefixFor(teamSlug));
    }

    private AccessPoint checked(Team team, Change change, AccessPoint existing) {
        String prefixProblem = AccessPointPolicies.prefixProblem(team.keyPrefix);
        if (prefixProblem != null) {
            throw new GatehouseException(422, "prefix_too_wide", prefixProblem);
        }
        String name = blank(change.name()) ? (existing != null ? existing.name : AccessPointPolicies.nameFor(team.slug))
                : change.name().strip();
        String nameProblem = AccessPointPolicies.nameProblem(name);
        if (nameProblem != null) {
            throw GatehouseException.badRequest("name", nameProblem);
        }
        if (!name.startsWith(NAME_PREFIX)) {
            throw GatehouseException.badRequest("name", "Gatehouse's access points are named " + NAME_PREFIX + "…: its IAM "
                    + "policy (deploy/iam-policy.json) lets it manage only those.");
        }
        AccessPoint.Origin networkOrigin;
        try {
            networkOrigin = AccessPoint.Origin.valueOf(blank(change.networkOrigin()) ? "INTERNET"
                    : change.networkOrigin().strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw GatehouseException.badRequest("networkOrigin", "The network origin is INTERNET or VPC.");
        }
        String vpcId = blank(change.vpcId()) ? null : change.vpcId().strip();
        if (networkOrigin == AccessPoint.Origin.VPC && !AccessPointPolicies.isVpcId(vpcId)) {
            throw GatehouseException.badRequest("vpcId", "A VPC-origin access point needs the VPC's id: vpc- and 8 or 17 "
                    + "hexadecimal digits.");
        }
        if (networkOrigin == AccessPoint.Origin.INTERNET && vpcId != null) {
            throw GatehouseException.badRequest("vpcId", "Only a VPC-origin access point has a VPC id.");
        }
        String teamRole = blank(change.teamRoleArn()) ? null : change.teamRoleArn().strip();
        if (teamRole != null && !AccessPointPolicies.isRoleArn(teamRole)) {
            throw GatehouseException.badRequest("teamRoleArn", "The team's role is an IAM role ARN: "
                    + "arn:aws:iam::123456789012:role/name.");
        }
        if (existing != null && existing.state == AccessPoint.Recorded.OK && (!existing.name.equals(name)
                || existing.networkOrigin != networkOrigin || !Objects.equals(existing.vpcId, vpcId))) {
            throw new GatehouseException(409, "recreate_needed", "An access point's name and network origin cannot "
                    + "change: delete it and create it again.");
        }
        AccessPoint wanted = new AccessPoint();
        wanted.teamSlug = team.slug;
        wanted.name = name;
        wanted.networkOrigin = networkOrigin;
        wanted.vpcId = vpcId;
        wanted.teamRoleArn = teamRole;
        return wanted;
    }

    private void save(CurrentUser admin, AccessPoint wanted, AccessPoint.Recorded state) {
        QuarkusTransaction.requiringNew().run(() -> {
            AccessPoint record = AccessPoint.findById(wanted.teamSlug);
            if (record == null) {
                record = new AccessPoint();
                record.teamSlug = wanted.teamSlug;
            }
            record.name = wanted.name;
            record.arn = wanted.arn;
            record.alias = wanted.alias;
            record.networkOrigin = wanted.networkOrigin;
            record.vpcId = wanted.vpcId;
            record.teamRoleArn = wanted.teamRoleArn;
            record.policy = wanted.policy;
            record.state = state;
            record.updatedBy = admin.id();
            record.updatedAt = Instant.now();
            record.persist();
        });
    }

    private static GatehouseException refusal(S3ControlException e) {
        String code = AccessPointControl.code(e);
        return switch (code) {
            case "AccessPointAlreadyOwnedByYou", "AccessPointAlreadyExists" -> new GatehouseException(409, "already_exists",
                    "An access point of that name already exists in this account and region: pick another name, or delete it "
                            + "first.", "name");
            case "InvalidRequest", "InvalidArgument", "MalformedPolicy" -> new GatehouseException(422, "refused",
                    "S3 Control refused the request: " + describe(e));
            default -> new GatehouseException(502, "s3_control_failed", "S3 Control did not do it: " + describe(e));
        };
    }

    private AuditEntry entry(CurrentUser admin, String slug, AuditOutcome outcome, RequestOrigin origin) {
        return AuditEntry.of(admin.id(), AuditAction.ACCESS_POINT_CHANGED, outcome).resource("team/" + slug).from(origin);
    }

    private static Team team(String slug) {
        Team team = slug == null ? null : Team.findById(slug);
        if (team == null) {
            throw GatehouseException.notFound("There is no team \"" + slug + "\".");
        }
        return team;
    }

    private static boolean sameJson(String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        try {
            return JSON.readTree(a).equals(JSON.readTree(b));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String describe(SdkException e) {
        return e instanceof S3ControlException s3 ? s3.statusCode() + " " + AccessPointControl.code(s3)
                + (s3.awsErrorDetails() != null && s3.awsErrorDetails().errorMessage() != null
                        ? " (" + s3.awsErrorDetails().errorMessage() + ")" : "")
                : e.getClass().getSimpleName();
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
            presigner.close();
        }
    }
}
