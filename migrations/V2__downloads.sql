-- Downloads: fast title search over the catalog and lean grant lookups.

-- Title search with ILIKE '%…%' stays indexed at 100k+ items.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX content_item_title_trgm_idx ON content_item USING gin (title gin_trgm_ops);

-- "May this user READ this key?" looks grants up by subject and by the exact resource (the key itself, or one
-- of its segment prefixes), so that lookup is one index probe per candidate.
DROP INDEX access_grant_subject_idx;
CREATE INDEX access_grant_lookup_idx ON access_grant (bucket, permission, resource, subject_type, subject);
CREATE INDEX access_grant_subject_idx ON access_grant (subject_type, subject, permission);

-- "My recent downloads" reads the audit trail by actor and action.
CREATE INDEX audit_event_actor_action_idx ON audit_event (actor, action, id DESC);
