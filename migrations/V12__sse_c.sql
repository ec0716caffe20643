-- SSE-C for teams that hold their own keys: the browser supplies the key on every request; Gatehouse signs only
-- the algorithm and the key's MD5, and never receives the key. Listed items remember that a key is needed.
ALTER TABLE team DROP CONSTRAINT team_sse_mode_check;
ALTER TABLE team ADD CONSTRAINT team_sse_mode_check CHECK (sse_mode IN ('DEFAULT', 'SSE_S3', 'SSE_KMS', 'SSE_C'));
ALTER TABLE upload_session DROP CONSTRAINT upload_session_sse_mode_check;
ALTER TABLE upload_session ADD CONSTRAINT upload_session_sse_mode_check
    CHECK (sse_mode IN ('DEFAULT', 'SSE_S3', 'SSE_KMS', 'SSE_C'));
ALTER TABLE content_item ADD COLUMN sse_customer_key boolean NOT NULL DEFAULT false;
