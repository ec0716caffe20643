-- Only what the code can do: SSE-C is not offered (the posture work brings it back shaped for the browser-held key),
-- and access points get their own records later, not a loose column.
UPDATE team SET sse_mode = 'DEFAULT' WHERE sse_mode = 'SSE_C';
ALTER TABLE team DROP CONSTRAINT team_sse_mode_check;
ALTER TABLE team ADD CONSTRAINT team_sse_mode_check CHECK (sse_mode IN ('DEFAULT', 'SSE_S3', 'SSE_KMS'));
ALTER TABLE upload_session ADD CONSTRAINT upload_session_sse_mode_check CHECK (sse_mode IN ('DEFAULT', 'SSE_S3', 'SSE_KMS'));
ALTER TABLE team DROP COLUMN access_point_arn;
