-- Office database: reviews of votes (申诉复核) and the vote tallies.
--
-- vote_exclusions: one row per `minping-office votes exclude` or `votes
-- restore`, never changed or deleted (app/core/review.h).  A selector is one
-- kiosk database instance, a seq range and optionally "its flagged votes
-- only"; a vote is excluded when the latest row whose selector covers it is
-- an exclusion.  votes: the votes the selector covered when the row was
-- made; changed: of those, the votes whose state it changed.
--
-- vote_excluded: the votes excluded now and the row that excluded them,
-- derived from vote_exclusions (kept by the same transactions); the votes
-- themselves never change.
--
-- The tallies (app/core/tally.h), kept by the import transaction and by
-- exclude/restore in theirs, so that a report or a scorecard reads a few
-- thousand rows however many votes the ledger holds.  Every count is split
-- four ways, disjoint: c (not flagged, not excluded), f (flagged, not
-- excluded), x (not flagged, excluded), xf (flagged, excluded); a rating's
-- suffix is its points (c10 c8 c6 c0).  day is the vote's local date
-- (cast_utc + utc_offset, the vote's own offset), month its first 7
-- characters, hour 0-23 and weekday 1 (Monday, 一) .. 7 (Sunday, 日) local.
-- (A local time after 9999-12-31 23:59:59, which a vote of that last day
-- in a zone east of UTC may have, is counted at that second: SQLite's
-- dates end there.)
--   vote_days:  (day, unit_code, channel)
--   vote_months: (unit_code, month, channel), the sums of vote_days
--   dissatisfied_hours / dissatisfied_weekdays: the 不满意 votes by
--     (month, unit_code, channel, hour | weekday)
--   vote_instances: per kiosk database instance, its votes, flagged votes
--     and highest seq
--   vote_clock_suspects: the votes with an implausible date (the tests of
--     ledger_each_clock_warning, made when the vote was imported: the kiosk's
--     first provisioning, the export and the import that brought it never
--     change), reasons a bit set of LEDGER_CLOCK_*.

CREATE TABLE vote_exclusions (
    id           INTEGER PRIMARY KEY,
    action       TEXT    NOT NULL CHECK (action IN ('exclude', 'restore')),
    kiosk_id     TEXT    NOT NULL REFERENCES kiosks(id),
    instance     TEXT    NOT NULL,
    seq_from     INTEGER NOT NULL CHECK (seq_from >= 1),
    seq_to       INTEGER NOT NULL CHECK (seq_to >= seq_from),
    flagged_only INTEGER NOT NULL CHECK (flagged_only IN (0, 1)),
    reason       TEXT    NOT NULL CHECK (length(reason) > 0),
    by_name      TEXT    NOT NULL CHECK (length(by_name) > 0),
    at_utc       INTEGER NOT NULL,
    votes        INTEGER NOT NULL CHECK (votes >= 1),
    changed      INTEGER NOT NULL CHECK (changed >= 1 AND changed <= votes)
) STRICT;
CREATE INDEX vote_exclusions_by_instance ON vote_exclusions(kiosk_id, instance);
CREATE TRIGGER vote_exclusions_no_update BEFORE UPDATE ON vote_exclusions
BEGIN SELECT RAISE(ABORT, 'exclusion records are never changed: add a restore'); END;
CREATE TRIGGER vote_exclusions_no_delete BEFORE DELETE ON vote_exclusions
BEGIN SELECT RAISE(ABORT, 'exclusion records are never deleted: add a restore'); END;

CREATE TABLE vote_excluded (
    kiosk_id     TEXT    NOT NULL,
    instance     TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    exclusion_id INTEGER NOT NULL REFERENCES vote_exclusions(id),
    PRIMARY KEY (kiosk_id, instance, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE vote_days (
    day       TEXT    NOT NULL,
    unit_code TEXT    NOT NULL,
    channel   TEXT    NOT NULL,
    c10 INTEGER NOT NULL DEFAULT 0, c8 INTEGER NOT NULL DEFAULT 0,
    c6 INTEGER NOT NULL DEFAULT 0, c0 INTEGER NOT NULL DEFAULT 0,
    f10 INTEGER NOT NULL DEFAULT 0, f8 INTEGER NOT NULL DEFAULT 0,
    f6 INTEGER NOT NULL DEFAULT 0, f0 INTEGER NOT NULL DEFAULT 0,
    x10 INTEGER NOT NULL DEFAULT 0, x8 INTEGER NOT NULL DEFAULT 0,
    x6 INTEGER NOT NULL DEFAULT 0, x0 INTEGER NOT NULL DEFAULT 0,
    xf10 INTEGER NOT NULL DEFAULT 0, xf8 INTEGER NOT NULL DEFAULT 0,
    xf6 INTEGER NOT NULL DEFAULT 0, xf0 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, unit_code, channel)
) STRICT, WITHOUT ROWID;

CREATE TABLE vote_months (
    unit_code TEXT    NOT NULL,
    month     TEXT    NOT NULL,
    channel   TEXT    NOT NULL,
    c10 INTEGER NOT NULL DEFAULT 0, c8 INTEGER NOT NULL DEFAULT 0,
    c6 INTEGER NOT NULL DEFAULT 0, c0 INTEGER NOT NULL DEFAULT 0,
    f10 INTEGER NOT NULL DEFAULT 0, f8 INTEGER NOT NULL DEFAULT 0,
    f6 INTEGER NOT NULL DEFAULT 0, f0 INTEGER NOT NULL DEFAULT 0,
    x10 INTEGER NOT NULL DEFAULT 0, x8 INTEGER NOT NULL DEFAULT 0,
    x6 INTEGER NOT NULL DEFAULT 0, x0 INTEGER NOT NULL DEFAULT 0,
    xf10 INTEGER NOT NULL DEFAULT 0, xf8 INTEGER NOT NULL DEFAULT 0,
    xf6 INTEGER NOT NULL DEFAULT 0, xf0 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_code, month, channel)
) STRICT, WITHOUT ROWID;

CREATE TABLE dissatisfied_hours (
    month     TEXT    NOT NULL,
    unit_code TEXT    NOT NULL,
    channel   TEXT    NOT NULL,
    hour      INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    c INTEGER NOT NULL DEFAULT 0, f INTEGER NOT NULL DEFAULT 0,
    x INTEGER NOT NULL DEFAULT 0, xf INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, unit_code, channel, hour)
) STRICT, WITHOUT ROWID;

CREATE TABLE dissatisfied_weekdays (
    month     TEXT    NOT NULL,
    unit_code TEXT    NOT NULL,
    channel   TEXT    NOT NULL,
    weekday   INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    c INTEGER NOT NULL DEFAULT 0, f INTEGER NOT NULL DEFAULT 0,
    x INTEGER NOT NULL DEFAULT 0, xf INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, unit_code, channel, weekday)
) STRICT, WITHOUT ROWID;

CREATE TABLE vote_instances (
    kiosk_id TEXT    NOT NULL,
    instance TEXT    NOT NULL,
    votes    INTEGER NOT NULL,
    flagged  INTEGER NOT NULL,
    max_seq  INTEGER NOT NULL,
    PRIMARY KEY (kiosk_id, instance)
) STRICT, WITHOUT ROWID;

CREATE TABLE vote_clock_suspects (
    kiosk_id TEXT    NOT NULL,
    instance TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    reasons  INTEGER NOT NULL CHECK (reasons BETWEEN 1 AND 7),
    PRIMARY KEY (kiosk_id, instance, seq)
) STRICT, WITHOUT ROWID;

-- ---- fill ----
-- (tally_rebuild runs what follows this line again, after emptying the
-- tallies: keep every statement below a fill of a tally.)

INSERT INTO vote_days
SELECT date(min(v.cast_utc + v.utc_offset, 253402300799), 'unixepoch') AS d, v.unit_code, v.channel,
       sum(v.points = 10 AND NOT v.flagged AND e.seq IS NULL),
       sum(v.points = 8 AND NOT v.flagged AND e.seq IS NULL),
       sum(v.points = 6 AND NOT v.flagged AND e.seq IS NULL),
       sum(v.points = 0 AND NOT v.flagged AND e.seq IS NULL),
       sum(v.points = 10 AND v.flagged AND e.seq IS NULL),
       sum(v.points = 8 AND v.flagged AND e.seq IS NULL),
       sum(v.points = 6 AND v.flagged AND e.seq IS NULL),
       sum(v.points = 0 AND v.flagged AND e.seq IS NULL),
       sum(v.points = 10 AND NOT v.flagged AND e.seq IS NOT NULL),
       sum(v.points = 8 AND NOT v.flagged AND e.seq IS NOT NULL),
       sum(v.points = 6 AND NOT v.flagged AND e.seq IS NOT NULL),
       sum(v.points = 0 AND NOT v.flagged AND e.seq IS NOT NULL),
       sum(v.points = 10 AND v.flagged AND e.seq IS NOT NULL),
       sum(v.points = 8 AND v.flagged AND e.seq IS NOT NULL),
       sum(v.points = 6 AND v.flagged AND e.seq IS NOT NULL),
       sum(v.points = 0 AND v.flagged AND e.seq IS NOT NULL)
FROM votes v LEFT JOIN vote_excluded e
  ON e.kiosk_id = v.kiosk_id AND e.instance = v.instance AND e.seq = v.seq
GROUP BY d, v.unit_code, v.channel;

INSERT INTO vote_months
SELECT unit_code, substr(day, 1, 7) AS m, channel,
       sum(c10), sum(c8), sum(c6), sum(c0), sum(f10), sum(f8), sum(f6), sum(f0),
       sum(x10), sum(x8), sum(x6), sum(x0), sum(xf10), sum(xf8), sum(xf6), sum(xf0)
FROM vote_days GROUP BY unit_code, m, channel;

INSERT INTO dissatisfied_hours
SELECT strftime('%Y-%m', min(v.cast_utc + v.utc_offset, 253402300799), 'unixepoch') AS m, v.unit_code, v.channel,
       CAST(strftime('%H', min(v.cast_utc + v.utc_offset, 253402300799), 'unixepoch') AS INTEGER) AS h,
       sum(NOT v.flagged AND e.seq IS NULL), sum(v.flagged AND e.seq IS NULL),
       sum(NOT v.flagged AND e.seq IS NOT NULL), sum(v.flagged AND e.seq IS NOT NULL)
FROM votes v LEFT JOIN vote_excluded e
  ON e.kiosk_id = v.kiosk_id AND e.instance = v.instance AND e.seq = v.seq
WHERE v.points = 0
GROUP BY m, v.unit_code, v.channel, h;

INSERT INTO dissatisfied_weekdays
SELECT substr(day, 1, 7) AS m, unit_code, channel,
       (CAST(strftime('%w', day) AS INTEGER) + 6) % 7 + 1 AS w,
       sum(c0), sum(f0), sum(x0), sum(xf0)
FROM vote_days WHERE c0 + f0 + x0 + xf0 > 0
GROUP BY m, unit_code, channel, w;

INSERT INTO vote_instances
SELECT kiosk_id, instance, count(*), sum(flagged), max(seq) FROM votes GROUP BY kiosk_id, instance;

INSERT INTO vote_clock_suspects
SELECT v.kiosk_id, v.instance, v.seq,
       (v.cast_utc < p.utc - 86400) | ((v.cast_utc > i.exported_utc) << 1)
       | ((v.cast_utc > i.imported_utc + 86400) << 2) AS r
FROM votes v JOIN imports i ON i.id = v.import_id
JOIN (SELECT k.id AS kiosk_id, coalesce(f.utc, k.provisioned_utc) AS utc
      FROM kiosks k LEFT JOIN kiosk_first_provisioned f ON f.kiosk_id = k.id) p
  ON p.kiosk_id = v.kiosk_id
WHERE r > 0;
