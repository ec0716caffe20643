-- The audit viewer's "resource starts with" filter: a prefix index (LIKE 'x%' in any collation).
CREATE INDEX audit_event_resource_idx ON audit_event (resource text_pattern_ops, id DESC);
