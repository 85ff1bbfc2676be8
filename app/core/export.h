/* export.h - the signed vote export that carries a kiosk's votes to the
 * office, format version 1.  Written by the kiosk, read by the office.
 *
 * The file is one UTF-8 CSV (RFC 4180 quoting, CRLF line ends) that Excel,
 * WPS and LibreOffice open directly:
 *
 *   - a UTF-8 byte-order mark, then the header line
 *       终端编号,数据库实例,序号,唯一编号,投票时间(UTC),当地时间,时区,单位代码,单位名称,评价,分值,渠道,疑似刷票
 *   - one line per vote of the database, in ascending seq:
 *       kiosk id, instance (32 hex), seq, uuid, "2026-11-27T08:30:05Z",
 *       "2026-11-27 16:30:05", "+08:00", unit code, unit name, rating label
 *       (非常满意/基本满意/一般/不满意), points (10/8/6/0), channel ("kiosk", or
 *       "online" in the survey server's export),
 *       flag ("0" or "1")
 *   - the signature line, last:
 *       #签名,minping-export-v1,<kiosk id>,<instance>,<exported UTC "…Z">,
 *       <vote count>,<first seq>,<last seq>,<key id>,<signature>
 *     where <signature> is the standard-base64 Ed25519 signature of every byte
 *     of the file before it (BOM, all lines, and the signature line up to and
 *     including the comma in front of the signature), and the file ends with
 *     the CRLF right after it.  Nothing may follow.
 *
 * An export with no votes has the header and the signature line only (count
 * 0, first and last seq 0).  Exports are cumulative: every vote ever stored.
 */
#ifndef MINPING_EXPORT_H
#define MINPING_EXPORT_H

#include "config.h"
#include "err.h"
#include "sign.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define EXPORT_FORMAT "minping-export-v1"
/* Format 2: format 1, and after the vote lines a second header
 *   终端编号,数据库实例,跟进序号,唯一编号,填写时间(UTC),当地时间,时区,单位代码,所评投票,分值,原因,意见,渠道
 * and one line per follow-up (followup.h), in ascending follow-up seq:
 *   source id, instance, follow-up seq, uuid, "…Z", local time, offset,
 *   unit code, the vote ("SEQ" of this database, or "KIOSK/INSTANCE/SEQ"),
 *   its points, the reasons joined by '|', the comment, channel.
 * The signature line is format 1's with EXPORT_FORMAT_V2; its counts are
 * the votes'.  The survey server writes it; readers read both. */
#define EXPORT_FORMAT_V2 "minping-export-v2"

/* One vote as carried by an export. */
typedef struct export_row {
    const char *kiosk_id;
    const char *instance;
    int64_t seq;
    const char *uuid;
    int64_t cast_utc;
    int utc_offset;      /* seconds east of UTC */
    const char *unit_code;
    const char *unit_name;
    int points;
    const char *channel;
    int flagged;
} export_row;

/* What the signature line says. */
typedef struct export_meta {
    char kiosk_id[CONFIG_ID_MAX + 1];
    char instance[33];
    int64_t exported_utc;
    int64_t rows;
    int64_t first_seq, last_seq;
    char key_id[SIGN_ID_CHARS + 1];
    int version;              /* 1 or 2 */
    int64_t followups;        /* follow-up lines read (format 2) */
} export_meta;

/* One follow-up as carried by a format 2 export. */
typedef struct export_followup {
    const char *source_id, *instance;
    int64_t seq;
    const char *uuid;
    int64_t created_utc;
    int utc_offset;
    const char *unit_code;
    const char *vote_kiosk;     /* "": a vote of this source and instance */
    const char *vote_instance;
    int64_t vote_seq;
    int points;
    const char *reasons;        /* labels joined by '|'; "" none */
    const char *comment;
    const char *channel;
} export_followup;

/* How many names export_write tries: NAME.csv, then NAME-2.csv ... */
enum { EXPORT_NAME_TRIES = 100 };

/* Kiosk side.  Writes every vote of s, signed with key, into folder dir under
 * a name the kiosk chooses ("minping-<kiosk>-<instance 8>-<YYYYMMDD-HHMMSS>.csv",
 * local time; when a file of that name is there already, "-2", "-3", ... up
 * to EXPORT_NAME_TRIES are put before ".csv"): a temporary file created exclusively (no symbolic links
 * followed), written, flushed and synced, then renamed to the final name only
 * if that name is free; the folder is synced.  On any failure no file is left
 * under the final name and the kiosk is unchanged.  *out_path (malloc'd) and
 * *out_rows receive the file written (either may be NULL).
 *
 * The file is written as it is made, through a buffer of a fixed size (the
 * memory used does not grow with the votes); it is then mapped read-only,
 * signed, and read back with export_read before it is synced and named: a
 * file that does not verify never gets its name.  An existing file (or
 * symbolic link) is never replaced, followed or changed. */
int export_write(store *s, const kiosk_config *cfg, const sign_key *key, const char *dir,
                 int64_t now_utc, char **out_path, int64_t *out_rows, mp_err *err);

/* export_write, and with out_followups not NULL format 2: the follow-ups of
 * s after its votes (the survey server's export); *out_followups gets how
 * many the file holds. */
int export_write_v2(store *s, const kiosk_config *cfg, const sign_key *key, const char *dir,
                    int64_t now_utc, int64_t *out_followups, char **out_path,
                    int64_t *out_rows, mp_err *err);

/* Office side: finds the public key of kiosk_id with key_id.  Returns
 * EXPORT_KEY_FOUND (1) and fills pk when known, EXPORT_KEY_NO_KIOSK (0) when
 * the office has no key at all for kiosk_id (not provisioned there),
 * EXPORT_KEY_OTHER (2) when it has keys for kiosk_id but not key_id, -1 on
 * an error (message in err). */
enum { EXPORT_KEY_NO_KIOSK = 0, EXPORT_KEY_FOUND = 1, EXPORT_KEY_OTHER = 2 };
typedef int (*export_key_fn)(void *user, const char *kiosk_id, const char *key_id,
                             unsigned char pk[SIGN_PK_BYTES], mp_err *err);
/* Receives each row, in file order (the row's strings are valid only during
 * the call); a non-zero return stops the read, which then fails with the
 * message the function put in err. */
typedef int (*export_row_fn)(void *user, const export_row *row, mp_err *err);

/* Verifies buf (a whole file) and only then parses it: the signature line
 * must be last and well formed, the key known for its kiosk, the signature
 * valid over the bytes before it; then every row must be well formed and
 * agree with the signature line (kiosk, instance, count, seq ascending from
 * first to last).  Calls on_row (may be NULL: verify only) for each row as
 * it goes, so a caller storing rows must do so in a transaction it rolls
 * back when this fails.  meta (may be NULL) is filled once the signature
 * line has been read.  On failure err says why in one sentence, naming the
 * line where there is one (e.g. "signature does not match: the file was
 * changed after it was signed", "line 7: seq 5 follows 6 (seq must
 * ascend)").  Seq numbers may have gaps: this checks only that they ascend
 * from first to last; a caller comparing rows with last_seq - first_seq + 1
 * sees missing votes. */
int export_read(const char *buf, size_t len, export_key_fn key_fn, void *key_user,
                export_meta *meta, export_row_fn on_row, void *row_user, mp_err *err);

/* Receives each follow-up of a format 2 file, like export_row_fn. */
typedef int (*export_followup_fn)(void *user, const export_followup *f, mp_err *err);
/* export_read for both formats: on_followup (may be NULL) gets the
 * follow-up lines of a format 2 file, checked as strictly as the votes
 * (source and instance the signature line's, seq ascending, every field in
 * its form); user goes to both callbacks. */
int export_read_v2(const char *buf, size_t len, export_key_fn key_fn, void *key_user,
                   export_meta *meta, export_row_fn on_row, export_followup_fn on_followup,
                   void *user, mp_err *err);

/* How export_read_with reads (NULL: as export_read_v2). */
typedef struct export_read_options {
    /* The signature is checked on a second thread while the rows are parsed
     * and handed over, instead of before: the rows reach the callbacks
     * before the signature is known to be good, so this is only for a
     * caller that undoes what it did with them when the read fails
     * (ledger_import: one transaction, rolled back).  What the read returns
     * and says is export_read_v2's: a file whose signature does not match
     * fails with that message whatever its rows hold, and its rows stop as
     * soon as the mismatch is known.  (Without a thread, the signature is
     * checked first, as export_read_v2 does.) */
    int verify_alongside;
    /* Called once the signature is found good, on the signature's thread
     * (ledger_import hashes the file there: one helper thread, not two,
     * beside the rows), or before the rows without one.  When the read
     * returns 0 it has run, exactly once; it never runs for a file whose
     * signature does not match.  May be NULL. */
    void (*after_verify)(void *user);
    void *after_verify_user;
} export_read_options;
int export_read_with(const char *buf, size_t len, export_key_fn key_fn, void *key_user,
                     export_meta *meta, export_row_fn on_row, export_followup_fn on_followup,
                     void *user, const export_read_options *opt, mp_err *err);

#endif
