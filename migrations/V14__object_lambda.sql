-- A content item may be served through an existing S3 Object Lambda access point (a redacting view, say): its
-- download URLs are then signed for that ARN. AWS closed Object Lambda to new customers in November 2025.
ALTER TABLE content_item ADD COLUMN object_lambda_arn text
    CHECK (object_lambda_arn IS NULL
        OR object_lambda_arn ~ '^arn:aws[a-z-]*:s3-object-lambda:[a-z0-9-]+:[0-9]{12}:accesspoint/[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$');
