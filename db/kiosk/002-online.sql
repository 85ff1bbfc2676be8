-- Kiosk database, version 2: the online channel and follow-ups.  Applied by
-- app/core/migrate.c inside one transaction.
--
-- votes.channel may now be 'online' (a vote cast on the survey server,
-- minping-survey, whose database follows the same rules as a kiosk's).
-- SQLite cannot change a CHECK constraint, so the table is rebuilt: every
-- row is copied with its own seq, the AUTOINCREMENT counter is carried over
-- (seq is never reused, not even after the rebuild), and the append-only
-- triggers are made again on the new table.

CREATE TEMP TABLE migrate_votes_seq AS
    SELECT seq FROM sqlite_sequence WHERE name = 'votes';

CREATE TABLE votes_v2 (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,  -- 1, 2, 3, ...; never reused
    instance   TEXT    NOT NULL,                   -- = meta 'instance'
    uuid       TEXT    NOT NULL UNIQUE,            -- random (version 4)
    cast_utc   INTEGER NOT NULL,                   -- Unix seconds, UTC, this machine's clock
    utc_offset INTEGER NOT NULL,                   -- local offset, seconds east of UTC
    unit_code  TEXT    NOT NULL,
    unit_name  TEXT    NOT NULL,                   -- as configured when cast
    points     INTEGER NOT NULL CHECK (points IN (10, 8, 6, 0)),
    channel    TEXT    NOT NULL DEFAULT 'kiosk' CHECK (channel IN ('kiosk', 'online')),
    flagged    INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1))  -- 1: suspected stuffing
) STRICT;

INSERT INTO votes_v2 (seq, instance, uuid, cast_utc, utc_offset, unit_code, unit_name, points,
                      channel, flagged)
    SELECT seq, instance, uuid, cast_utc, utc_offset, unit_code, unit_name, points, channel,
           flagged
    FROM votes ORDER BY seq;

-- DROP TABLE fires no DELETE trigger; it takes the old triggers with it.
DROP TABLE votes;
ALTER TABLE votes_v2 RENAME TO votes;

DELETE FROM sqlite_sequence WHERE name = 'votes';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'votes', max(seq) FROM (SELECT seq FROM migrate_votes_seq
                                   UNION ALL SELECT max(seq) FROM votes)
    HAVING max(seq) IS NOT NULL;
DROP TABLE migrate_votes_seq;

CREATE TRIGGER votes_no_update BEFORE UPDATE ON votes
BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END;
CREATE TRIGGER votes_no_delete BEFORE DELETE ON votes
BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END;

-- A follow-up: the reasons a citizen gave after rating 一般 or 不满意, and an
-- optional comment.  Never a vote: it is attached to one vote, at most once.
-- The vote is named by (vote_kiosk, vote_instance, vote_seq): vote_kiosk ''
-- means a vote of this database (the survey server's own online vote, or a
-- kiosk's own reason buttons); otherwise the kiosk whose vote it follows (a
-- kiosk vote's thank-you QR code).  Append-only like votes.
CREATE TABLE followups (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,  -- 1, 2, 3, ...; never reused
    instance      TEXT    NOT NULL,                   -- = meta 'instance'
    uuid          TEXT    NOT NULL UNIQUE,            -- random (version 4)
    created_utc   INTEGER NOT NULL,                   -- Unix seconds, UTC
    utc_offset    INTEGER NOT NULL,                   -- local offset, seconds east of UTC
    vote_kiosk    TEXT    NOT NULL DEFAULT '',        -- '': a vote of this database
    vote_instance TEXT    NOT NULL,
    vote_seq      INTEGER NOT NULL CHECK (vote_seq > 0),
    unit_code     TEXT    NOT NULL,                   -- the vote's unit
    points        INTEGER NOT NULL CHECK (points IN (10, 8, 6, 0)),  -- the vote's rating
    reasons       TEXT    NOT NULL,                   -- labels as shown, joined by '|'; '' none
    comment       TEXT    NOT NULL,                   -- at most 200 characters; '' none
    channel       TEXT    NOT NULL CHECK (channel IN ('kiosk', 'online')),
    UNIQUE (vote_kiosk, vote_instance, vote_seq)
) STRICT;

CREATE TRIGGER followups_no_update BEFORE UPDATE ON followups
BEGIN SELECT RAISE(ABORT, 'follow-ups are append-only'); END;
CREATE TRIGGER followups_no_delete BEFORE DELETE ON followups
BEGIN SELECT RAISE(ABORT, 'follow-ups are append-only'); END;

-- The survey server's record of which browsers (a salted hash of a
-- first-party cookie) voted for which unit on which local day, so a second
-- vote is flagged.  Not linked to any vote; rows older than two days are
-- removed.  A kiosk never writes here.
CREATE TABLE browser_marks (
    day       TEXT NOT NULL,   -- YYYY-MM-DD, local date
    unit_code TEXT NOT NULL,
    browser   TEXT NOT NULL,   -- keyed BLAKE2b of the cookie, hex
    PRIMARY KEY (day, unit_code, browser)
) STRICT, WITHOUT ROWID;
