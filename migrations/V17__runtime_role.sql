-- The app's runtime login, when it is not the schema's owner (production: GATEHOUSE_DB_OWNER_USER runs these
-- migrations, GATEHOUSE_DB_USER runs the app). It reads and writes rows; the audit trail only grows: no UPDATE but
-- of the sealing columns (which the append-only trigger allows once), no DELETE, no TRUNCATE. Owning nothing, it can
-- neither alter a table nor disable a trigger, so rewriting history takes the owner's login.
DO $migration$
DECLARE
    runtime text := '${runtime_user}';
BEGIN
    IF runtime = '' OR runtime = current_user THEN
        RETURN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), runtime);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), runtime);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM %I', runtime);
    EXECUTE format('GRANT UPDATE (chain_seq, prev_hash, row_hash) ON audit_event TO %I', runtime);
    EXECUTE format('REVOKE ALL ON flyway_schema_history FROM %I', runtime);
    -- Tables and sequences of later migrations: the same rights (an audit-like table must revoke its own).
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
        current_schema(), runtime);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', current_schema(), runtime);
END
$migration$;
