-- Every upload declaration checks the team's quota (listed items plus uploads in flight) and the user's uploads in
-- flight: index-only sums instead of scans.
CREATE INDEX upload_session_team_pending_idx ON upload_session (team_slug) INCLUDE (declared_size) WHERE status = 'PENDING';
CREATE INDEX upload_session_user_pending_idx ON upload_session (user_id) WHERE status = 'PENDING';
CREATE INDEX content_item_team_size_idx ON content_item (owner_team) INCLUDE (size_bytes);
