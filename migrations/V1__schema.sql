-- Gatehouse schema, first cut. Shaped after PRODUCT.md: teams and their upload policy, the catalog of
-- content items, grants, upload sessions and the append-only audit trail.

-- Teams come from the IdP's groups claim; this row holds what Gatehouse stores about each.
CREATE TABLE team (
    slug                    text        PRIMARY KEY CHECK (slug ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    display_name            text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    -- Where the team's objects live in the bucket; always ends with '/'. Gatehouse picks keys under it.
    key_prefix              text        NOT NULL UNIQUE CHECK (key_prefix ~ '^[a-z0-9][a-z0-9._/-]*/$'),
    -- Upload policy overrides; NULL means "use the configured default".
    allowed_content_types   text[],
    max_object_bytes        bigint      CHECK (max_object_bytes > 0),
    quota_bytes             bigint      CHECK (quota_bytes > 0),
    max_files_per_session   integer     CHECK (max_files_per_session > 0),
    -- Encryption the team's uploads must carry: DEFAULT (bucket default), SSE_S3, SSE_KMS, SSE_C.
    sse_mode                text        NOT NULL DEFAULT 'DEFAULT' CHECK (sse_mode IN ('DEFAULT', 'SSE_S3', 'SSE_KMS', 'SSE_C')),
    kms_key_id              text,
    access_point_arn        text,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE content_item (
    id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bucket              text        NOT NULL,
    -- S3 keys are at most 1024 bytes; no parent-directory segments, NUL or control characters.
    object_key          text        NOT NULL CHECK (octet_length(object_key) BETWEEN 1 AND 1024
                                                    AND object_key !~ '(^|/)\.\.(/|$)'
                                                    AND object_key !~ '[[:cntrl:]]'),
    title               text        NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description         text,
    size_bytes          bigint      NOT NULL CHECK (size_bytes >= 0),
    content_type        text        NOT NULL,
    tier                text        NOT NULL DEFAULT 'STANDARD' CHECK (tier IN ('STANDARD', 'PREMIUM')),
    owner_team          text        REFERENCES team (slug),
    original_filename   text,
    sha256_base64       text,
    created_by          text        NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (bucket, object_key)
);
CREATE INDEX content_item_owner_team_idx ON content_item (owner_team, id);

-- A grant: subject x resource x permission x validity window x optional use limit.
CREATE TABLE access_grant (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_type    text        NOT NULL CHECK (subject_type IN ('USER', 'TEAM', 'ROLE')),
    subject         text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    bucket          text        NOT NULL,
    -- OBJECT: resource is one key. PREFIX: resource is a key prefix ending with '/', matched per segment.
    resource_type   text        NOT NULL CHECK (resource_type IN ('OBJECT', 'PREFIX')),
    resource        text        NOT NULL CHECK (octet_length(resource) BETWEEN 1 AND 1024),
    permission      text        NOT NULL CHECK (permission IN ('READ', 'WRITE')),
    valid_from      timestamptz NOT NULL,
    valid_until     timestamptz NOT NULL,
    max_uses        integer     CHECK (max_uses > 0),
    use_count       integer     NOT NULL DEFAULT 0,
    reason          text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    revoked_by      text,
    revoked_reason  text,
    CHECK (valid_until > valid_from),
    CHECK (resource_type <> 'PREFIX' OR resource LIKE '%/'),
    -- The database itself refuses a use past the limit, whatever races happen above it.
    CHECK (max_uses IS NULL OR use_count <= max_uses),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX access_grant_subject_idx ON access_grant (subject_type, subject, permission, bucket);

-- One browser upload: what was declared, where Gatehouse decided it goes, and how it ended.
CREATE TABLE upload_session (
    id                      uuid        PRIMARY KEY,
    team_slug               text        NOT NULL REFERENCES team (slug),
    user_id                 text        NOT NULL,
    bucket                  text        NOT NULL,
    object_key              text        NOT NULL CHECK (octet_length(object_key) BETWEEN 1 AND 1024),
    original_filename       text        NOT NULL,
    safe_filename           text        NOT NULL,
    declared_size           bigint      NOT NULL CHECK (declared_size > 0),
    declared_content_type   text        NOT NULL,
    declared_sha256_base64  text        NOT NULL,
    sse_mode                text        NOT NULL DEFAULT 'DEFAULT',
    kms_key_id              text,
    multipart_upload_id     text,
    status                  text        NOT NULL CHECK (status IN ('PENDING', 'VERIFIED', 'REJECTED', 'ABORTED', 'EXPIRED')),
    reject_reason           text,
    content_item_id         bigint      REFERENCES content_item (id),
    expires_at              timestamptz NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    completed_at            timestamptz,
    UNIQUE (bucket, object_key)
);
CREATE INDEX upload_session_user_idx ON upload_session (user_id, created_at DESC);
CREATE INDEX upload_session_pending_idx ON upload_session (expires_at) WHERE status = 'PENDING';

-- The audit trail: one row per URL issued, denial, grant or configuration change.
CREATE TABLE audit_event (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor       text        NOT NULL,
    action      text        NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('ALLOWED', 'DENIED', 'SUCCEEDED', 'FAILED')),
    reason      text,
    resource    text,
    grant_id    bigint,
    client_ip   text,
    user_agent  text,
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_event_occurred_idx ON audit_event (occurred_at DESC, id DESC);
CREATE INDEX audit_event_actor_idx ON audit_event (actor, id DESC);
CREATE INDEX audit_event_grant_idx ON audit_event (grant_id, id DESC) WHERE grant_id IS NOT NULL;

-- Append-only at the database level: no UPDATE, DELETE or TRUNCATE, whoever the caller is
-- (a superuser can still drop the trigger; tamper evidence for that comes with the hash chain).
CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();

CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();
