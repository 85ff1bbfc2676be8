-- Office database, version 8: the votes table's points check, spelled so that
-- SQLite checks it with four comparisons.  Applied by app/core/migrate.c
-- inside one transaction.
--
-- `points IN (10, 8, 6, 0)` in a CHECK constraint made SQLite build a
-- temporary b-tree of the four values for every row inserted (a page cleared
-- and four entries written per vote: about a sixth of an import's work).  The
-- rule is the same: points is 10, 8, 6 or 0.  SQLite cannot change a CHECK
-- constraint, so the table is rebuilt: every row is copied with its own rowid
-- (votes are never deleted, so the highest rowid counts them), then the index
-- and the append-only triggers are made again on the new table.

CREATE TABLE votes_v8 (
    kiosk_id   TEXT    NOT NULL REFERENCES kiosks(id),
    instance   TEXT    NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    uuid       TEXT    NOT NULL,
    cast_utc   INTEGER NOT NULL,             -- Unix seconds, kiosk clock
    utc_offset INTEGER NOT NULL,             -- the kiosk's offset, seconds east of UTC
    unit_code  TEXT    NOT NULL,
    unit_name  TEXT    NOT NULL,             -- as the kiosk showed it
    points     INTEGER NOT NULL CHECK (points = 10 OR points = 8 OR points = 6 OR points = 0),
    channel    TEXT    NOT NULL,
    flagged    INTEGER NOT NULL CHECK (flagged IN (0, 1)),
    import_id  INTEGER NOT NULL REFERENCES imports(id),
    PRIMARY KEY (kiosk_id, instance, seq)
) STRICT;

INSERT INTO votes_v8 (rowid, kiosk_id, instance, seq, uuid, cast_utc, utc_offset, unit_code,
                      unit_name, points, channel, flagged, import_id)
    SELECT rowid, kiosk_id, instance, seq, uuid, cast_utc, utc_offset, unit_code, unit_name,
           points, channel, flagged, import_id
    FROM votes ORDER BY rowid;

-- DROP TABLE fires no DELETE trigger; it takes the old triggers and index
-- with it.
DROP TABLE votes;
ALTER TABLE votes_v8 RENAME TO votes;

CREATE INDEX votes_by_unit ON votes(unit_code, cast_utc);

-- Imported votes are evidence: never changed or deleted.
CREATE TRIGGER votes_no_update BEFORE UPDATE ON votes
BEGIN SELECT RAISE(ABORT, 'imported votes are never changed'); END;
CREATE TRIGGER votes_no_delete BEFORE DELETE ON votes
BEGIN SELECT RAISE(ABORT, 'imported votes are never deleted'); END;
