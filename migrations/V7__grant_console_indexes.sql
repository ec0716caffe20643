-- The grants console pages newest first (id DESC) under each of its filters; at 1M grants every filter needs
-- an index that yields its matches in id order (GrantConsoleBenchmark).
CREATE INDEX access_grant_console_subject_idx ON access_grant (subject, id DESC);
CREATE INDEX access_grant_console_resource_idx ON access_grant (resource text_pattern_ops, id DESC);
CREATE INDEX access_grant_console_created_by_idx ON access_grant (created_by, id DESC);
CREATE INDEX access_grant_console_revoked_idx ON access_grant (id DESC) WHERE revoked_at IS NOT NULL;
CREATE INDEX access_grant_console_valid_until_idx ON access_grant (valid_until, id DESC) WHERE revoked_at IS NULL;
