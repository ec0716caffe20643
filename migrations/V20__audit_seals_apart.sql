-- Sealing wrote every audit row twice. The UPDATE that filled in chain_seq, prev_hash and row_hash changed indexed
-- columns, so it could not be HOT: each seal put a second version of the row into all ten of audit_event's indexes,
-- through the append-only trigger, and left a dead version for vacuum. pg_stat_statements put it at about 60 % of
-- PostgreSQL's time per download URL.
--
-- The seals now live in a table of their own, insert-only like the trail, and audit_event is never updated again:
-- its trigger refuses every UPDATE, as V1's did. The rows waiting for their seal are listed in audit_unsealed,
-- filled by audit_event's inserts (a statement trigger) and emptied by the sealer in the transaction that seals them.
-- The hash definition is V3's, with the chain position passed in: every existing seal stays valid.

CREATE TABLE audit_seal (
    chain_seq bigint PRIMARY KEY,
    event_id  bigint NOT NULL UNIQUE,
    prev_hash bytea  NOT NULL,
    row_hash  bytea  NOT NULL
);
INSERT INTO audit_seal (chain_seq, event_id, prev_hash, row_hash)
    SELECT chain_seq, id, prev_hash, row_hash FROM audit_event WHERE chain_seq IS NOT NULL;

CREATE TABLE audit_unsealed (event_id bigint PRIMARY KEY);
INSERT INTO audit_unsealed (event_id) SELECT id FROM audit_event WHERE chain_seq IS NULL;

CREATE FUNCTION audit_event_await_seal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_unsealed (event_id) SELECT id FROM inserted;
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_event_awaits_seal
    AFTER INSERT ON audit_event REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_await_seal();

-- V3's canonical text, unchanged, with the row's chain position given rather than read from the row.
DROP FUNCTION audit_event_canonical(audit_event);
CREATE FUNCTION audit_event_canonical(e audit_event, seq bigint) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(concat_ws(E'\x1f', seq::text, e.id::text,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), e.actor, e.action, e.outcome,
        coalesce(e.reason, ''), coalesce(e.resource, ''), coalesce(e.grant_id::text, ''), coalesce(e.client_ip, ''),
        coalesce(e.user_agent, ''), e.details::text), 'UTF8')
$$;

-- Append-only, without exception: no UPDATE, DELETE or TRUNCATE of a row or of a seal, whoever the caller is.
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_seal_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_seal_no_truncate
    BEFORE TRUNCATE ON audit_seal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();

DROP INDEX audit_event_unsealed_idx;
DROP INDEX audit_event_chain_idx;
ALTER TABLE audit_event DROP COLUMN chain_seq, DROP COLUMN prev_hash, DROP COLUMN row_hash;

-- Seals up to max_rows committed, unsealed rows in id order; one sealer at a time (safe with many replicas). A row
-- that commits late is sealed later: chain order is seal order.
CREATE OR REPLACE FUNCTION audit_event_seal(max_rows integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    listed record;
    previous bytea;
    next_seq bigint;
    taken bigint[] := '{}';
    ids bigint[] := '{}';
    seqs bigint[] := '{}';
    prevs bytea[] := '{}';
    hashes bytea[] := '{}';
BEGIN
    IF NOT pg_try_advisory_xact_lock(7415001) THEN
        RETURN 0;
    END IF;
    SELECT row_hash, chain_seq INTO previous, next_seq FROM audit_seal ORDER BY chain_seq DESC LIMIT 1;
    previous := coalesce(previous, '\x'::bytea);
    next_seq := coalesce(next_seq, 0);
    FOR listed IN SELECT u.event_id, e AS event, EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_id = u.event_id) AS sealed
            FROM audit_unsealed u LEFT JOIN audit_event e ON e.id = u.event_id ORDER BY u.event_id LIMIT max_rows LOOP
        taken := taken || listed.event_id;
        -- Listed again after its seal, or listed without a row: only a hand-made insert does that. Off the list.
        CONTINUE WHEN listed.sealed OR (listed.event).id IS NULL;
        next_seq := next_seq + 1;
        ids := ids || listed.event_id;
        seqs := seqs || next_seq;
        prevs := prevs || previous;
        previous := sha256(previous || audit_event_canonical(listed.event, next_seq));
        hashes := hashes || previous;
    END LOOP;
    INSERT INTO audit_seal (chain_seq, event_id, prev_hash, row_hash) SELECT * FROM unnest(seqs, ids, prevs, hashes);
    DELETE FROM audit_unsealed WHERE event_id = ANY (taken);
    RETURN coalesce(array_length(taken, 1), 0);
END;
$$;

-- The runtime login (V17): seals are written, never changed; the waiting list is emptied by the sealer.
DO $migration$
DECLARE
    runtime text := '${runtime_user}';
BEGIN
    IF runtime = '' OR runtime = current_user THEN
        RETURN;
    END IF;
    EXECUTE format('GRANT SELECT, INSERT ON audit_seal TO %I', runtime);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_seal FROM %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON audit_unsealed TO %I', runtime);
    EXECUTE format('REVOKE UPDATE, TRUNCATE ON audit_unsealed FROM %I', runtime);
END
$migration$;
