-- A multipart upload's SHA-256 may come with its completion instead of its declaration: the browser hashes the
-- file while its parts are already travelling, not in a pass over the whole file before the first byte moves
-- (issue 14). A single PUT still declares it up front: the store checks it against the signed checksum.
ALTER TABLE upload_session ALTER COLUMN declared_sha256_base64 DROP NOT NULL;
ALTER TABLE upload_session ADD CONSTRAINT upload_session_sha256_declared
    CHECK (declared_sha256_base64 IS NOT NULL OR (multipart AND status NOT IN ('VERIFYING', 'VERIFIED')));
