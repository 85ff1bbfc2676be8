-- Office database: the assessment's year-round records (平时记录), kept by
-- `minping-office record add|replace|reverse|import` and read by
-- `minping-office assess` (app/core/arecord.h, app/core/assess.h).
--
-- A record is never changed or deleted: a correction is a new record that
-- names the one it replaces or reverses (corrects) and says why (reason).
-- A record is in force unless a later record corrects it; a reversal is
-- never in force itself.  Points are hundredths (12.5 points = 1250).
-- (IF NOT EXISTS: this file may run after another branch's 004.)

CREATE TABLE IF NOT EXISTS assess_records (
    id           INTEGER PRIMARY KEY,
    date         TEXT    NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    unit_code    TEXT    NOT NULL REFERENCES units(code),
    item         TEXT    NOT NULL,          -- the rubric's id: 一.1.1, 二.4, 加分
    kind         TEXT    NOT NULL CHECK (kind IN ('score', 'deduct', 'count', 'bonus')),
    points       INTEGER CHECK (points IS NULL OR points >= 0),  -- hundredths
    count        INTEGER CHECK (count IS NULL OR count >= 0),    -- events or items counted
    matter       TEXT    NOT NULL DEFAULT '',  -- 从重: deductions of one matter count once
    reason       TEXT    NOT NULL CHECK (length(reason) > 0),
    evidence     TEXT    NOT NULL DEFAULT '',  -- a document number or file name
    entered_by   TEXT    NOT NULL CHECK (length(entered_by) > 0),
    entered_utc  INTEGER NOT NULL,
    source       TEXT    NOT NULL DEFAULT '',  -- '' (record add) or "FILE.csv, line N"
    correction   TEXT    NOT NULL DEFAULT '' CHECK (correction IN ('', 'replace', 'reverse')),
    corrects     INTEGER REFERENCES assess_records(id),
    CHECK ((correction = '') = (corrects IS NULL))
) STRICT;

-- A record is corrected at most once (correct the correction instead).
CREATE UNIQUE INDEX IF NOT EXISTS assess_records_corrected
    ON assess_records(corrects) WHERE corrects IS NOT NULL;
CREATE INDEX IF NOT EXISTS assess_records_by_unit ON assess_records(unit_code, date);

CREATE TRIGGER IF NOT EXISTS assess_records_no_update BEFORE UPDATE ON assess_records
BEGIN SELECT RAISE(ABORT, 'assessment records are never changed: add a correction'); END;
CREATE TRIGGER IF NOT EXISTS assess_records_no_delete BEFORE DELETE ON assess_records
BEGIN SELECT RAISE(ABORT, 'assessment records are never deleted: add a reversal'); END;
