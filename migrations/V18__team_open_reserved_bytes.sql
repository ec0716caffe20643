-- The quota check summed the declared sizes of all of a team's open uploads under the team's row lock: every
-- declaration paid for every upload still in flight in its team, and held the lock that long (issue 14: upload start
-- 292/s). Like stored_bytes (V15), the open uploads' sum is now kept on the team row by the database itself, whoever
-- opens, closes or deletes a session. Ended uploads that still reserve their size while a URL may write (V9's
-- linger) stay a sum, over a set that stays small.
ALTER TABLE team ADD COLUMN open_reserved_bytes bigint NOT NULL DEFAULT 0;

UPDATE team SET open_reserved_bytes = coalesce((SELECT sum(declared_size) FROM upload_session
    WHERE team_slug = team.slug AND status IN ('PENDING', 'VERIFYING')), 0);

CREATE FUNCTION upload_session_count_open_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('PENDING', 'VERIFYING') THEN
        UPDATE team SET open_reserved_bytes = open_reserved_bytes - OLD.declared_size WHERE slug = OLD.team_slug;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('PENDING', 'VERIFYING') THEN
        UPDATE team SET open_reserved_bytes = open_reserved_bytes + NEW.declared_size WHERE slug = NEW.team_slug;
    END IF;
    RETURN NULL;
END $$;

-- Only changes that move a session into or out of the open set, or change what it reserves, touch the team row
-- (PENDING -> VERIFYING does not).
CREATE TRIGGER upload_session_open_bytes
    AFTER INSERT OR DELETE ON upload_session
    FOR EACH ROW EXECUTE FUNCTION upload_session_count_open_bytes();
CREATE TRIGGER upload_session_open_bytes_moved
    AFTER UPDATE OF status, declared_size, team_slug ON upload_session
    FOR EACH ROW
    WHEN ((OLD.status IN ('PENDING', 'VERIFYING')) IS DISTINCT FROM (NEW.status IN ('PENDING', 'VERIFYING'))
          OR OLD.declared_size IS DISTINCT FROM NEW.declared_size OR OLD.team_slug IS DISTINCT FROM NEW.team_slug)
    EXECUTE FUNCTION upload_session_count_open_bytes();

-- What is left to sum: ended, unverified sessions whose URLs may still write (until swept after their linger time).
DROP INDEX upload_session_team_live_idx;
CREATE INDEX upload_session_team_lingering_idx ON upload_session (team_slug) INCLUDE (declared_size, linger_until)
    WHERE status IN ('REJECTED', 'ABORTED', 'EXPIRED') AND (swept_at IS NULL OR swept_at <= linger_until);
