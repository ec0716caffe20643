-- Tamper evidence: every audit row carries the SHA-256 of its own content chained to the previous row's hash.
-- A row changed, inserted or removed behind Gatehouse's back (e.g. by a superuser with the append-only trigger
-- disabled) breaks the chain from that row on; the verifier reports the first broken link.

ALTER TABLE audit_event ADD COLUMN chain_seq bigint;
ALTER TABLE audit_event ADD COLUMN prev_hash bytea;
ALTER TABLE audit_event ADD COLUMN row_hash bytea;

-- The canonical text of a row: every column that matters, in a fixed order, with explicit separators.
CREATE FUNCTION audit_event_canonical(e audit_event) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(concat_ws(E'\x1f', e.chain_seq::text, e.id::text,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), e.actor, e.action, e.outcome,
        coalesce(e.reason, ''), coalesce(e.resource, ''), coalesce(e.grant_id::text, ''), coalesce(e.client_ip, ''),
        coalesce(e.user_agent, ''), e.details::text), 'UTF8')
$$;

CREATE SEQUENCE audit_event_chain_seq;

-- Appends the row to the chain. The advisory lock (held to the end of the inserting transaction) makes chain
-- order the commit order, so concurrent writers never fork the chain.
CREATE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(7415001);
    SELECT row_hash INTO previous FROM audit_event WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1;
    NEW.chain_seq := nextval('audit_event_chain_seq');
    NEW.prev_hash := coalesce(previous, '\x'::bytea);
    NEW.row_hash := sha256(NEW.prev_hash || audit_event_canonical(NEW));
    RETURN NEW;
END;
$$;

-- Chain the rows written before this migration, in id order (the append-only trigger is paused for it).
ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete;
DO $$
DECLARE
    r audit_event;
    previous bytea := '\x'::bytea;
BEGIN
    FOR r IN SELECT * FROM audit_event ORDER BY id LOOP
        r.chain_seq := nextval('audit_event_chain_seq');
        r.prev_hash := previous;
        r.row_hash := sha256(previous || audit_event_canonical(r));
        UPDATE audit_event SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, row_hash = r.row_hash WHERE id = r.id;
        previous := r.row_hash;
    END LOOP;
END;
$$;
ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete;

ALTER TABLE audit_event ALTER COLUMN chain_seq SET NOT NULL;
ALTER TABLE audit_event ALTER COLUMN row_hash SET NOT NULL;
CREATE UNIQUE INDEX audit_event_chain_idx ON audit_event (chain_seq);

CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_chain();

-- Viewer filters: by action and by outcome, newest first.
CREATE INDEX audit_event_action_idx ON audit_event (action, id DESC);
CREATE INDEX audit_event_outcome_idx ON audit_event (outcome, id DESC);
