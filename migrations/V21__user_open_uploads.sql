-- A declaration took an advisory lock on its user, then counted the user's uploads in flight (up to the limit): two
-- round trips, and a count whose cost grew with the uploads in flight (the benchmark, whose limit is lifted, counted
-- thousands a declaration). As the team row keeps its open bytes (V18, V19), a row per user now keeps its count, by
-- the database itself whoever opens or ends a session; the declaration locks that row and reads it in one statement.
CREATE TABLE upload_user (
    user_id      text    PRIMARY KEY,
    open_uploads integer NOT NULL DEFAULT 0 CHECK (open_uploads >= 0)
);
INSERT INTO upload_user (user_id, open_uploads)
    SELECT user_id, count(*) FROM upload_session WHERE status IN ('PENDING', 'VERIFYING') GROUP BY user_id;

CREATE FUNCTION upload_session_count_open_uploads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('PENDING', 'VERIFYING') THEN
        UPDATE upload_user SET open_uploads = open_uploads - 1 WHERE user_id = OLD.user_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('PENDING', 'VERIFYING') THEN
        INSERT INTO upload_user (user_id, open_uploads) VALUES (NEW.user_id, 1)
            ON CONFLICT (user_id) DO UPDATE SET open_uploads = upload_user.open_uploads + 1;
    END IF;
    RETURN NULL;
END $$;

-- At commit, as V19's team counters: a completion holds the user's row only for its commit. A declaration holds it
-- from its first statement (UploadUsage.lockedOpenUploads), so its own insert counts before anyone else reads.
CREATE CONSTRAINT TRIGGER upload_session_open_uploads
    AFTER INSERT OR DELETE ON upload_session
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION upload_session_count_open_uploads();
CREATE CONSTRAINT TRIGGER upload_session_open_uploads_moved
    AFTER UPDATE OF status, user_id ON upload_session
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN ((OLD.status IN ('PENDING', 'VERIFYING')) IS DISTINCT FROM (NEW.status IN ('PENDING', 'VERIFYING'))
          OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION upload_session_count_open_uploads();

-- The count's index (V9) served nothing else ("my uploads" reads upload_session_user_idx): no longer kept up on every
-- declaration and every end of an upload.
DROP INDEX upload_session_user_open_idx;
