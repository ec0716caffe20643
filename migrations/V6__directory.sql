-- Who Gatehouse has seen: users and teams named in the tokens it accepted. Grants and imports check subjects
-- against these, so a typo in a user id or team name is caught instead of becoming a grant nobody holds.
CREATE TABLE known_user (
    id              text        PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
    display_name    text        NOT NULL,
    teams           text[]      NOT NULL DEFAULT '{}',
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE team ADD COLUMN last_seen_at timestamptz;
