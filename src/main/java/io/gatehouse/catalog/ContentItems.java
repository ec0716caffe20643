package io.gatehouse.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.db.Sql;

/** Lists a verified upload's object in the catalog by plain JDBC: the completion runs without the ORM. */
@ApplicationScoped
public class ContentItems {

    private final Sql sql;

    ContentItems(Sql sql) {
        this.sql = sql;
    }

    /** Stores {@code item} and gives it its id. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void insert(ContentItem item) {
        item.id = sql.one("list the item", """
                INSERT INTO content_item (bucket, object_key, title, description, size_bytes, content_type, tier, owner_team,
                    original_filename, sha256_base64, client_encryption, object_lambda_arn, sse_customer_key, integrity,
                    created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""", row -> row.getLong(1),
                item.bucket, item.objectKey, item.title, item.description, item.sizeBytes, item.contentType, item.tier.name(),
                item.ownerTeam, item.originalFilename, item.sha256Base64, item.clientEncryption, item.objectLambdaArn,
                item.sseCustomerKey, item.integrity, item.createdBy).orElseThrow();
    }
}
