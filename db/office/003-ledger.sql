-- Office database: the vote ledger and the unit registry's details.
--
-- imports: one row per export file accepted by `minping-office import`
-- (a file imported again gets a row of its own, with new_rows 0).
-- votes: every vote ever imported, once: the key is (kiosk_id, instance, seq),
-- the kiosk, its database instance and the vote's number in that database.
-- A vote keeps the import that first brought it (import_id).

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    file_name     TEXT    NOT NULL,          -- the file's name, without its folder
    file_sha256   TEXT    NOT NULL,          -- 64 lowercase hex digits
    kiosk_id      TEXT    NOT NULL REFERENCES kiosks(id),
    instance      TEXT    NOT NULL,          -- the kiosk database's instance id
    exported_utc  INTEGER NOT NULL,          -- from the signature line (kiosk clock)
    rows          INTEGER NOT NULL,          -- votes in the file
    new_rows      INTEGER NOT NULL,          -- of those, votes not imported before
    absent_rows   INTEGER NOT NULL DEFAULT 0, -- votes up to last_seq that an earlier import
    absent_seqs   TEXT    NOT NULL DEFAULT '', --  brought but this file lacks ("31-33")
    first_seq     INTEGER NOT NULL,
    last_seq      INTEGER NOT NULL,
    key_id        TEXT    NOT NULL,          -- the signing key's id
    imported_utc  INTEGER NOT NULL           -- office clock
) STRICT;

CREATE TABLE votes (
    kiosk_id   TEXT    NOT NULL REFERENCES kiosks(id),
    instance   TEXT    NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    uuid       TEXT    NOT NULL,
    cast_utc   INTEGER NOT NULL,             -- Unix seconds, kiosk clock
    utc_offset INTEGER NOT NULL,             -- the kiosk's offset, seconds east of UTC
    unit_code  TEXT    NOT NULL,
    unit_name  TEXT    NOT NULL,             -- as the kiosk showed it
    points     INTEGER NOT NULL CHECK (points IN (10, 8, 6, 0)),
    channel    TEXT    NOT NULL,
    flagged    INTEGER NOT NULL CHECK (flagged IN (0, 1)),
    import_id  INTEGER NOT NULL REFERENCES imports(id),
    PRIMARY KEY (kiosk_id, instance, seq)
) STRICT;

CREATE INDEX votes_by_unit ON votes(unit_code, cast_utc);
CREATE INDEX imports_by_kiosk ON imports(kiosk_id, instance);

-- Imported votes are evidence: never changed or deleted.
CREATE TRIGGER votes_no_update BEFORE UPDATE ON votes
BEGIN SELECT RAISE(ABORT, 'imported votes are never changed'); END;
CREATE TRIGGER votes_no_delete BEFORE DELETE ON votes
BEGIN SELECT RAISE(ABORT, 'imported votes are never deleted'); END;

-- When each kiosk was first provisioned (kiosks.provisioned_utc moves with
-- every re-provisioning): a vote dated before it has a wrong clock.
CREATE TABLE kiosk_first_provisioned (
    kiosk_id TEXT    PRIMARY KEY REFERENCES kiosks(id),
    utc      INTEGER NOT NULL
) STRICT;
INSERT INTO kiosk_first_provisioned(kiosk_id, utc) SELECT id, provisioned_utc FROM kiosks;
CREATE TRIGGER kiosks_first_provisioned AFTER INSERT ON kiosks
BEGIN
    INSERT OR IGNORE INTO kiosk_first_provisioned(kiosk_id, utc)
    VALUES (NEW.id, NEW.provisioned_utc);
END;

-- The unit registry (`minping-office units import`): the unit's type, and
-- the contacts of the registration form (登记表, annex 2 of the notice).
ALTER TABLE units ADD COLUMN type TEXT
    CHECK (type IS NULL OR type IN ('乡镇', '县直机关', '垂直管理单位', '公共企事业单位'));

CREATE TABLE unit_contacts (
    unit_code              TEXT PRIMARY KEY REFERENCES units(code),
    leader                 TEXT NOT NULL DEFAULT '',  -- 分管领导
    leader_title           TEXT NOT NULL DEFAULT '',  -- 分管领导职务
    leader_phone           TEXT NOT NULL DEFAULT '',  -- 分管领导联系电话
    office                 TEXT NOT NULL DEFAULT '',  -- 责任科室
    office_head            TEXT NOT NULL DEFAULT '',  -- 科室负责人
    office_head_title      TEXT NOT NULL DEFAULT '',  -- 科室负责人职务
    office_head_phone      TEXT NOT NULL DEFAULT '',  -- 科室负责人联系电话
    contact1_name          TEXT NOT NULL DEFAULT '',  -- 联系人1姓名
    contact1_office_phone  TEXT NOT NULL DEFAULT '',  -- 联系人1办公电话
    contact1_mobile        TEXT NOT NULL DEFAULT '',  -- 联系人1手机
    contact1_email         TEXT NOT NULL DEFAULT '',  -- 联系人1电子邮箱
    contact1_qq            TEXT NOT NULL DEFAULT '',  -- 联系人1QQ
    contact2_name          TEXT NOT NULL DEFAULT '',
    contact2_office_phone  TEXT NOT NULL DEFAULT '',
    contact2_mobile        TEXT NOT NULL DEFAULT '',
    contact2_email         TEXT NOT NULL DEFAULT '',
    contact2_qq            TEXT NOT NULL DEFAULT '',
    updated_utc            INTEGER NOT NULL           -- last `units import` that set them
) STRICT;
