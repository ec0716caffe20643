package io.gatehouse.audit;

/** Everything the audit trail records, by name: a typo cannot make a new kind of row. */
public enum AuditAction {
    /** A signed-in user reached for something their role does not allow. */
    ACCESS_DENIED,
    DOWNLOAD_URL_ISSUED,
    DOWNLOAD_DENIED,
    UPLOAD_STARTED,
    UPLOAD_DENIED,
    UPLOAD_PARTS_SIGNED,
    UPLOAD_VERIFIED,
    UPLOAD_REJECTED,
    UPLOAD_ABORTED,
    UPLOAD_EXPIRED,
    /** Something a URL of an ended upload wrote, found and removed by the cleanup job. */
    UPLOAD_STRAY_REMOVED,
    /** A multipart upload at the store that no upload knows (its declaration never recorded it), aborted. */
    UPLOAD_ORPHAN_ABORTED,
    GRANT_CREATED,
    GRANT_REVOKED,
    GRANTS_IMPORTED,
    ITEM_CREATED,
    ITEM_DELETED,
    TEAM_UPDATED,
    BUCKET_CORS_APPLIED,
    /** A bucket security control applied from the posture page (its id in the details). */
    POSTURE_APPLIED,
    /** A team's access point created, its policy updated, or deleted (the change in the details). */
    ACCESS_POINT_CHANGED,
    /** A content item set to be served through an Object Lambda access point, or back to the plain object. */
    ITEM_OBJECT_LAMBDA_SET,
    STORE_PROBED,
    STEP_UP_REQUIRED,
    STEP_UP_COMPLETED
}
