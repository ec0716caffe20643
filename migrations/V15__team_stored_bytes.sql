-- A team's quota check ran sum(size_bytes) over all of the team's items, under the team's row lock: every upload
-- start paid for every file the team ever stored, and held the lock that long (issue 14: 270 starts/s). The sum is
-- now kept on the team row by the database itself, whoever inserts, moves or deletes an item.
ALTER TABLE team ADD COLUMN stored_bytes bigint NOT NULL DEFAULT 0;

UPDATE team SET stored_bytes = coalesce((SELECT sum(size_bytes) FROM content_item WHERE owner_team = team.slug), 0);

CREATE FUNCTION content_item_count_stored_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.owner_team IS NOT NULL THEN
        UPDATE team SET stored_bytes = stored_bytes - OLD.size_bytes WHERE slug = OLD.owner_team;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.owner_team IS NOT NULL THEN
        UPDATE team SET stored_bytes = stored_bytes + NEW.size_bytes WHERE slug = NEW.owner_team;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER content_item_stored_bytes
    AFTER INSERT OR DELETE OR UPDATE OF size_bytes, owner_team ON content_item
    FOR EACH ROW EXECUTE FUNCTION content_item_count_stored_bytes();
