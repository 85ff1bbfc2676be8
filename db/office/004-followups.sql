-- Office database, version 4: follow-ups (the reasons and comments citizens
-- give after a vote, app/core/followup.h), imported from the survey
-- server's exports (format 2) beside its votes.  Never votes: they do not
-- count in any score.  The key is (source_id, instance, seq), the source
-- (survey or kiosk) and database that recorded the follow-up and its number
-- there; the vote it follows is (vote_kiosk, vote_instance, vote_seq).
-- Like votes, imported follow-ups are never changed or deleted.
CREATE TABLE followups (
    source_id     TEXT    NOT NULL REFERENCES kiosks(id),
    instance      TEXT    NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    uuid          TEXT    NOT NULL,
    created_utc   INTEGER NOT NULL,
    utc_offset    INTEGER NOT NULL,
    unit_code     TEXT    NOT NULL,
    vote_kiosk    TEXT    NOT NULL,
    vote_instance TEXT    NOT NULL,
    vote_seq      INTEGER NOT NULL CHECK (vote_seq >= 1),
    points        INTEGER NOT NULL CHECK (points IN (10, 8, 6, 0)),
    reasons       TEXT    NOT NULL,   -- labels joined by '|'
    comment       TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    PRIMARY KEY (source_id, instance, seq)
) STRICT;

CREATE INDEX followups_by_unit ON followups(unit_code, created_utc);

CREATE TRIGGER followups_no_update BEFORE UPDATE ON followups
BEGIN SELECT RAISE(ABORT, 'imported follow-ups are never changed'); END;
CREATE TRIGGER followups_no_delete BEFORE DELETE ON followups
BEGIN SELECT RAISE(ABORT, 'imported follow-ups are never deleted'); END;
