-- Client-side encryption: a team may require files to be encrypted in the browser before upload. The scheme is
-- recorded on the upload and on the listed item, so downloads know to decrypt (the key never reaches Gatehouse).
ALTER TABLE team ADD COLUMN client_side_encryption boolean NOT NULL DEFAULT false;
ALTER TABLE upload_session ADD COLUMN client_encryption text
    CHECK (client_encryption IS NULL OR client_encryption = 'aes-256-gcm-chunked-v1');
ALTER TABLE content_item ADD COLUMN client_encryption text
    CHECK (client_encryption IS NULL OR client_encryption = 'aes-256-gcm-chunked-v1');
