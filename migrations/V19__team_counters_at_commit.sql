-- The team row's counters (V15 stored_bytes, V18 open_reserved_bytes) were updated by each statement that moved an
-- item or a session, so the row stayed locked from that statement to the end of its transaction: completions and
-- declarations into one team queued behind each other's remaining work (the audit row, the ORM's flush, the commit).
-- The same triggers now run at commit, deferred: the row is locked only for the commit itself. Arithmetic is
-- unchanged (each row event still counts once, with its OLD and NEW); only a transaction reading the counters after
-- its own changes sees them not yet counted, and none does (a declaration reads the quota before its insert counts).
DROP TRIGGER content_item_stored_bytes ON content_item;
CREATE CONSTRAINT TRIGGER content_item_stored_bytes
    AFTER INSERT OR DELETE OR UPDATE OF size_bytes, owner_team ON content_item
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION content_item_count_stored_bytes();

DROP TRIGGER upload_session_open_bytes ON upload_session;
CREATE CONSTRAINT TRIGGER upload_session_open_bytes
    AFTER INSERT OR DELETE ON upload_session
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION upload_session_count_open_bytes();

DROP TRIGGER upload_session_open_bytes_moved ON upload_session;
CREATE CONSTRAINT TRIGGER upload_session_open_bytes_moved
    AFTER UPDATE OF status, declared_size, team_slug ON upload_session
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN ((OLD.status IN ('PENDING', 'VERIFYING')) IS DISTINCT FROM (NEW.status IN ('PENDING', 'VERIFYING'))
          OR OLD.declared_size IS DISTINCT FROM NEW.declared_size OR OLD.team_slug IS DISTINCT FROM NEW.team_slug)
    EXECUTE FUNCTION upload_session_count_open_bytes();
