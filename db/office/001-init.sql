-- Office database, version 1.  Applied by app/core/migrate.c; PRAGMA
-- user_version counts the migrations applied.

-- Registered units (the unit registry).
CREATE TABLE units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

-- Provisioned kiosks.
CREATE TABLE kiosks (
    id             TEXT PRIMARY KEY,
    survey_url     TEXT NOT NULL,
    provisioned_utc INTEGER NOT NULL       -- last provisioning, Unix seconds
) STRICT;

-- Which units each kiosk serves, in the order it shows them.
CREATE TABLE kiosk_units (
    kiosk_id  TEXT    NOT NULL REFERENCES kiosks(id),
    unit_code TEXT    NOT NULL REFERENCES units(code),
    position  INTEGER NOT NULL,
    PRIMARY KEY (kiosk_id, unit_code)
) STRICT;
