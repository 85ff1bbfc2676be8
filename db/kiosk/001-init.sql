-- Kiosk database, version 1.  Applied by app/core/migrate.c; PRAGMA
-- user_version counts the migrations applied.  One database file per kiosk.

-- Facts about this database: 'instance' (random, 32 hex digits, made when the
-- file is created so a replaced database never collides with an old one) and
-- 'created_utc' (Unix seconds).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per vote, append-only.
CREATE TABLE votes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,  -- 1, 2, 3, ...; never reused
    instance   TEXT    NOT NULL,                   -- = meta 'instance'
    uuid       TEXT    NOT NULL UNIQUE,            -- random (version 4)
    cast_utc   INTEGER NOT NULL,                   -- Unix seconds, UTC, kiosk clock
    utc_offset INTEGER NOT NULL,                   -- local offset, seconds east of UTC
    unit_code  TEXT    NOT NULL,
    unit_name  TEXT    NOT NULL,                   -- as configured when cast
    points     INTEGER NOT NULL CHECK (points IN (10, 8, 6, 0)),
    channel    TEXT    NOT NULL DEFAULT 'kiosk' CHECK (channel IN ('kiosk')),
    flagged    INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1))  -- 1: suspected stuffing
) STRICT;

-- Votes are never changed or deleted, not even by the kiosk itself.
CREATE TRIGGER votes_no_update BEFORE UPDATE ON votes
BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END;
CREATE TRIGGER votes_no_delete BEFORE DELETE ON votes
BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END;
