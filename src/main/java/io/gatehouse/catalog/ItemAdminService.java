package io.gatehouse.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.quarkus.narayana.jta.QuarkusTransaction;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.ObjectKeys;
import io.gatehouse.storage.S3Config;
import io.gatehouse.teams.Team;
import io.gatehouse.web.GatehouseException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

@ApplicationScoped
public class ItemAdminService {

    private final S3Client s3;
    private final S3Config s3Config;
    private final AuditService audit;

    ItemAdminService(S3Client s3, S3Config s3Config, AuditService audit) {
        this.s3 = s3;
        this.s3Config = s3Config;
        this.audit = audit;
    }

    /** Size and type come from the object itself (HeadObject), never from the request. */
    @Transactional
    public ContentItem create(CurrentUser admin, ItemAdminResource.CreateItem request, RequestOrigin origin) {
        String problem = ObjectKeys.problemWith(request.key());
        if (problem != null) {
            throw GatehouseException.badRequest("key", "The object key " + problem + ".");
        }
        io.gatehouse.web.TextInput.requireLine("title", request.title());
        io.gatehouse.web.TextInput.requireParagraph("description", request.description());
        if (request.ownerTeam() != null && Team.findById(request.ownerTeam()) == null) {
            throw GatehouseException.badRequest("ownerTeam", "There is no team \"" + request.ownerTeam() + "\".");
        }
        if (ContentItem.count("bucket = ?1 and objectKey = ?2", s3Config.bucket(), request.key()) > 0) {
            throw new GatehouseException(409, "already_listed", "This object is already in the catalog.", "key");
        }
        HeadObjectResponse head = head(request.key());
        ContentItem item = new ContentItem();
        item.bucket = s3Config.bucket();
        item.objectKey = request.key();
        item.title = request.title().strip();
        item.description = request.description();
        item.tier = request.tier();
        item.ownerTeam = request.ownerTeam();
        item.sizeBytes = head.contentLength();
        item.contentType = head.contentType() == null ? "application/octet-stream" : head.contentType();
        item.originalFilename = ObjectKeys.fileName(request.key());
        item.createdBy = admin.id();
        item.persist();
        audit.record(AuditEntry.of(admin.id(), AuditAction.ITEM_CREATED, AuditOutcome.SUCCEEDED)
                .resource(item.bucket + "/" + item.objectKey)
                .from(origin)
                .detail("itemId", item.id)
                .detail("tier", item.tier));
        return item;
    }

    /**
     * Removes the item from the catalog and its object from the bucket. The deletion is recorded as asked for first
     * (committed on its own); then the row goes and the object is deleted last inside that transaction — deliberately:
     * if S3 refuses, the row comes back and a FAILED row says so. A commit failing after the S3 delete leaves a
     * listed item whose downloads fail, and the trail shows the deletion asked for without its SUCCEEDED row.
     */
    public ContentItem delete(CurrentUser admin, long id, String reason, RequestOrigin origin) {
        io.gatehouse.web.TextInput.requireParagraph("reason", reason);
        ContentItem found = QuarkusTransaction.requiringNew().call(() -> ContentItem.<ContentItem>findById(id));
        if (found == null) {
            throw GatehouseException.notFound("There is no catalog item " + id + ".");
        }
        audit.recordAlone(deletion(admin, found, reason, origin, AuditOutcome.ALLOWED));
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                ContentItem item = ContentItem.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
                if (item == null) {
                    throw GatehouseException.notFound("There is no catalog item " + id + ".");
                }
                // Upload history keeps its rows; it just no longer points at the item.
                ContentItem.getEntityManager().createNativeQuery("UPDATE upload_session SET content_item_id = NULL WHERE content_item_id = ?1")
                        .setParameter(1, id).executeUpdate();
                item.delete();
                audit.record(deletion(admin, item, reason, origin, AuditOutcome.SUCCEEDED));
                ContentItem.flush();
                s3.deleteObject(r -> r.bucket(item.bucket).key(item.objectKey));
                return item;
            });
        } catch (RuntimeException e) {
            audit.recordAlone(deletion(admin, found, reason, origin, AuditOutcome.FAILED));
            throw e;
        }
    }

    private static AuditEntry deletion(CurrentUser admin, ContentItem item, String reason, RequestOrigin origin,
            AuditOutcome outcome) {
        return AuditEntry.of(admin.id(), AuditAction.ITEM_DELETED, outcome)
                .resource(item.bucket + "/" + item.objectKey)
                .reason(reason)
                .from(origin)
                .detail("itemId", item.id)
                .detail("title", item.title)
                .detail("sizeBytes", item.sizeBytes);
    }

    private HeadObjectResponse head(String key) {
        try {
            return s3.headObject(r -> r.bucket(s3Config.bucket()).key(key));
        } catch (S3Exception e) { // NoSuchKey included
            if (e.statusCode() == 404) {
                throw new GatehouseException(422, "object_missing", "There is no object with this key in the bucket.", "key");
            }
            throw e;
        }
    }
}
