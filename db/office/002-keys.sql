-- Office database, version 2: the kiosks' public signing keys.  Applied by
-- app/core/migrate.c.  A kiosk gets a new key each time it is provisioned;
-- its old keys stay, so exports signed before a re-provisioning still verify.
-- Only public keys are kept here, never a secret key.
CREATE TABLE kiosk_keys (
    kiosk_id   TEXT    NOT NULL REFERENCES kiosks(id),
    key_id     TEXT    NOT NULL CHECK (length(key_id) = 16),   -- see app/core/sign.h
    public_key TEXT    NOT NULL CHECK (length(public_key) = 44), -- 32 bytes, standard base64
    added_utc  INTEGER NOT NULL,                               -- Unix seconds
    PRIMARY KEY (kiosk_id, key_id)
) STRICT;
