-- Uploads that hold on every store and die with their reason to exist.

-- VERIFYING: the upload was claimed for verification (the store is being asked, or the object read back); the
-- session row is not locked meanwhile. "multipart" is decided at declaration; the store's upload id comes after.
ALTER TABLE upload_session DROP CONSTRAINT upload_session_status_check;
ALTER TABLE upload_session ADD CONSTRAINT upload_session_status_check
    CHECK (status IN ('PENDING', 'VERIFYING', 'VERIFIED', 'REJECTED', 'ABORTED', 'EXPIRED'));
ALTER TABLE upload_session ADD COLUMN multipart boolean NOT NULL DEFAULT false;
UPDATE upload_session SET multipart = true WHERE multipart_upload_id IS NOT NULL;
ALTER TABLE upload_session ADD COLUMN verifying_since timestamptz;
-- How the content was checked against the declared SHA-256 (STORE_CHECKSUM or READ_BACK) and why.
ALTER TABLE upload_session ADD COLUMN verification text;
-- What allowed the upload: a WRITE grant (its use was spent), or NULL for the uploader's own team space.
ALTER TABLE upload_session ADD COLUMN write_grant_id bigint REFERENCES access_grant (id);
-- A URL signed for this session may still write until then (its expiry plus the time a request started just
-- before the expiry may take). After the session closed, the cleanup job removes whatever appears at its key until
-- this time has passed and it has looked once more (swept_at > linger_until); meanwhile the declared size still
-- counts against the team's quota.
ALTER TABLE upload_session ADD COLUMN linger_until timestamptz;
ALTER TABLE upload_session ADD COLUMN swept_at timestamptz;
-- Before V9 a URL lived at most 15 minutes from its upload's declaration: older ended uploads are past watching.
UPDATE upload_session SET linger_until = expires_at WHERE status = 'PENDING';
UPDATE upload_session SET linger_until = created_at + interval '75 minutes' WHERE status IN ('REJECTED', 'ABORTED', 'EXPIRED');
UPDATE upload_session SET swept_at = now() WHERE status IN ('REJECTED', 'ABORTED', 'EXPIRED') AND linger_until < now();
CREATE INDEX upload_session_sweep_idx ON upload_session (linger_until NULLS FIRST)
    WHERE status IN ('REJECTED', 'ABORTED', 'EXPIRED') AND (swept_at IS NULL OR swept_at <= linger_until);
DROP INDEX upload_session_pending_idx;
CREATE INDEX upload_session_open_idx ON upload_session (expires_at) WHERE status IN ('PENDING', 'VERIFYING');
-- The quota sums what is open or may still be written: the "live" sessions, a set that stays small (a closed
-- session leaves it once swept after its linger time).
DROP INDEX upload_session_team_pending_idx;
CREATE INDEX upload_session_team_live_idx ON upload_session (team_slug) INCLUDE (declared_size, status, linger_until)
    WHERE status IN ('PENDING', 'VERIFYING') OR (status <> 'VERIFIED' AND (swept_at IS NULL OR swept_at <= linger_until));
DROP INDEX upload_session_user_pending_idx;
CREATE INDEX upload_session_user_open_idx ON upload_session (user_id) WHERE status IN ('PENDING', 'VERIFYING');

-- A listed item says how its SHA-256 was established.
ALTER TABLE content_item ADD COLUMN integrity text;

-- Team members read their team's space unless this is turned off.
ALTER TABLE team ADD COLUMN members_read boolean NOT NULL DEFAULT true;
