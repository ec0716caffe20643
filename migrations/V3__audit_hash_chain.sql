-- Tamper evidence: every audit row is sealed into a hash chain — the SHA-256 of its canonical content and the
-- previous row's hash. A row changed, inserted or removed behind Gatehouse's back (e.g. by a superuser with the
-- append-only trigger paused) breaks the chain from that row on; the verifier reports the first broken link.
--
-- Rows are sealed shortly after they commit, by audit_event_seal() (Gatehouse calls it every second, and before
-- verifying), not while inserting: sealing at insert time would serialise every audit-writing transaction on one
-- lock. Chain order is seal order (chain_seq), so a transaction that commits late is simply sealed later.

ALTER TABLE audit_event ADD COLUMN chain_seq bigint;
ALTER TABLE audit_event ADD COLUMN prev_hash bytea;
ALTER TABLE audit_event ADD COLUMN row_hash bytea;
CREATE UNIQUE INDEX audit_event_chain_idx ON audit_event (chain_seq);
CREATE INDEX audit_event_unsealed_idx ON audit_event (id) WHERE chain_seq IS NULL;

-- The canonical text of a row: every column that matters, in a fixed order, with explicit separators.
CREATE FUNCTION audit_event_canonical(e audit_event) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(concat_ws(E'\x1f', e.chain_seq::text, e.id::text,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), e.actor, e.action, e.outcome,
        coalesce(e.reason, ''), coalesce(e.resource, ''), coalesce(e.grant_id::text, ''), coalesce(e.client_ip, ''),
        coalesce(e.user_agent, ''), e.details::text), 'UTF8')
$$;

-- Append-only, except for sealing: an UPDATE may only fill in the chain columns of a row not sealed yet.
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
       AND (to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'row_hash') = (to_jsonb(OLD) - 'chain_seq' - 'prev_hash' - 'row_hash') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Seals up to max_rows committed, unsealed rows in id order; one sealer at a time (safe with many replicas).
CREATE FUNCTION audit_event_seal(max_rows integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    r audit_event;
    previous bytea;
    next_seq bigint;
    sealed integer := 0;
BEGIN
    IF NOT pg_try_advisory_xact_lock(7415001) THEN
        RETURN 0;
    END IF;
    SELECT row_hash, chain_seq INTO previous, next_seq FROM audit_event WHERE chain_seq IS NOT NULL
        ORDER BY chain_seq DESC LIMIT 1;
    previous := coalesce(previous, '\x'::bytea);
    next_seq := coalesce(next_seq, 0);
    FOR r IN SELECT * FROM audit_event WHERE chain_seq IS NULL ORDER BY id LIMIT max_rows LOOP
        next_seq := next_seq + 1;
        r.chain_seq := next_seq;
        r.prev_hash := previous;
        r.row_hash := sha256(previous || audit_event_canonical(r));
        UPDATE audit_event SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, row_hash = r.row_hash WHERE id = r.id;
        previous := r.row_hash;
        sealed := sealed + 1;
    END LOOP;
    RETURN sealed;
END;
$$;

SELECT audit_event_seal(2147483647);

-- Viewer filters: by action and by outcome, newest first.
CREATE INDEX audit_event_action_idx ON audit_event (action, id DESC);
CREATE INDEX audit_event_outcome_idx ON audit_event (outcome, id DESC);
