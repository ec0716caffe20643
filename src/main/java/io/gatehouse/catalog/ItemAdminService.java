package io.gatehouse.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

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
        item.originalFilename = request.key().substring(request.key().lastIndexOf('/') + 1);
        item.createdBy = admin.id();
        item.persist();
        audit.record(AuditEntry.of(admin.id(), "ITEM_CREATED", AuditOutcome.SUCCEEDED)
                .resource(item.bucket + "/" + item.objectKey)
                .from(origin)
                .detail("itemId", item.id)
                .detail("tier", item.tier));
        return item;
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
