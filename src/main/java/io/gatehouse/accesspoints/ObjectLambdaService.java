package io.gatehouse.accesspoints;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.catalog.ContentItem;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.S3Config;
import io.gatehouse.web.GatehouseException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Content items served through an existing S3 Object Lambda access point (e.g. a redacted view): the item's download
 * URLs are signed for that ARN. AWS closed Object Lambda to new customers in November 2025, so Gatehouse lists and
 * uses the account's existing ones and never creates any.
 */
@ApplicationScoped
public class ObjectLambdaService {

    private static final Pattern ARN = Pattern.compile(
            "arn:aws[a-z-]*:s3-object-lambda:([a-z0-9-]+):(\\d{12}):accesspoint/([a-z0-9][a-z0-9-]{1,48}[a-z0-9])");

    public record ObjectLambdaAccessPoint(String name, String arn, String alias) {
    }

    /** The account's Object Lambda access points, or why there are none to pick from. */
    public record Listing(List<ObjectLambdaAccessPoint> accessPoints, String message) {
    }

    private final AccessPointService accessPoints;
    private final AccessPointConfig config;
    private final S3Config s3Config;
    private final AuditService audit;

    ObjectLambdaService(AccessPointService accessPoints, AccessPointConfig config, S3Config s3Config, AuditService audit) {
        this.accessPoints = accessPoints;
        this.config = config;
        this.s3Config = s3Config;
        this.audit = audit;
    }

    public Listing list() {
        String unsupported = accessPoints.unsupported();
        if (unsupported != null) {
            return new Listing(List.of(), unsupported);
        }
        try {
            List<ObjectLambdaAccessPoint> found = accessPoints.control().listObjectLambda();
            return new Listing(found, found.isEmpty() ? "The account has no Object Lambda access points. AWS closed Object "
                    + "Lambda to new customers in November 2025: Gatehouse uses existing ones and creates none." : null);
        } catch (SdkException e) {
            throw new GatehouseException(502, "s3_control_failed", "S3 Control could not list the Object Lambda access "
                    + "points (" + e.getClass().getSimpleName() + ").");
        }
    }

    /** Serves the item through {@code arn} (blank: the plain object again), audited. */
    public void assign(CurrentUser admin, long itemId, String arn, RequestOrigin origin) {
        String wanted = arn == null || arn.isBlank() ? null : arn.strip();
        String unsupported = accessPoints.unsupported();
        if (wanted != null && unsupported != null) {
            throw new GatehouseException(409, "not_supported", unsupported);
        }
        if (wanted != null) {
            String problem = problem(wanted);
            if (problem != null) {
                throw GatehouseException.badRequest("arn", problem);
            }
        }
        QuarkusTransaction.requiringNew().run(() -> {
            ContentItem item = ContentItem.findById(itemId);
            if (item == null) {
                throw GatehouseException.notFound("There is no item " + itemId + ".");
            }
            String before = item.objectLambdaArn;
            item.objectLambdaArn = wanted;
            audit.record(AuditEntry.of(admin.id(), AuditAction.ITEM_OBJECT_LAMBDA_SET, AuditOutcome.SUCCEEDED)
                    .resource(item.bucket + "/" + item.objectKey).from(origin).detail("itemId", itemId)
                    .detail("from", before).detail("to", wanted));
        });
    }

    /** Why this is not an Object Lambda access point of this account and region, or null. */
    String problem(String arn) {
        Matcher m = ARN.matcher(arn);
        if (!m.matches()) {
            return "Give an Object Lambda access point ARN: arn:aws:s3-object-lambda:<region>:<account>:accesspoint/<name>.";
        }
        if (!m.group(1).equals(s3Config.region())) {
            return "That Object Lambda access point is in " + m.group(1) + "; the bucket is in " + s3Config.region() + ".";
        }
        String account = config.accountId().orElse(null);
        if (account == null || !m.group(2).equals(account)) {
            return "That Object Lambda access point belongs to account " + m.group(2) + ", not to the bucket's account"
                    + (account == null ? " (gatehouse.access-points.account-id is not set)." : " " + account + ".");
        }
        return null;
    }
}
