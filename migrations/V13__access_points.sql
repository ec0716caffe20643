-- Per-team S3 access points: the record Gatehouse keeps next to the team (what it created and attached), compared
-- with what S3 Control reports. INCOMPLETE: a create whose policy failed and whose rollback failed too.
CREATE TABLE access_point (
    team_slug      text        PRIMARY KEY REFERENCES team (slug) ON DELETE CASCADE,
    name           text        NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$'),
    arn            text,
    alias          text,
    network_origin text        NOT NULL CHECK (network_origin IN ('INTERNET', 'VPC')),
    vpc_id         text        CHECK (vpc_id IS NULL OR vpc_id ~ '^vpc-[0-9a-f]{8}([0-9a-f]{9})?$'),
    team_role_arn  text,
    policy         text        NOT NULL,
    state          text        NOT NULL CHECK (state IN ('OK', 'INCOMPLETE')),
    updated_by     text        NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((network_origin = 'VPC') = (vpc_id IS NOT NULL))
);

-- The access point an upload's URLs are signed through (null: the bucket).
ALTER TABLE upload_session ADD COLUMN access_point_arn text;
