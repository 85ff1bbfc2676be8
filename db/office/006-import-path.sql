-- Office database: where each imported file was read from.
--
-- imports.file_path: the file's path as the office read it (absolute when the
-- office could resolve it), so that a message about an earlier import can
-- name the very file even when many files share one name; '' for the
-- imports recorded before this column existed.

ALTER TABLE imports ADD COLUMN file_path TEXT NOT NULL DEFAULT '';
