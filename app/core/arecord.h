/* arecord.h - the assessment's year-round records (平时记录) in the office
 * database (db/office/005-assessment.sql), with their audit trail.
 *
 * A record says, for one unit and one rubric entry, on one date: a score
 * (kind score: 0 .. the entry's points), a deduction (deduct: --points, or
 * per_event × the number of events), a count (count: items published), or
 * a bonus (bonus, entry 加分).  Each carries a reason, an optional evidence
 * reference (document number, file name), an optional matter id (从重: the
 * deductions of one matter count once, the heaviest), who entered it and
 * when.  Records are never changed or deleted: a correction is a new record
 * that replaces or reverses an earlier one, naming it and why.
 *
 * Every check is made against the rubric of the record's year: the unit
 * must be registered, the entry must exist and take the kind, the amount
 * must fit, the date must lie in the year.
 */
#ifndef MINPING_ARECORD_H
#define MINPING_ARECORD_H

#include "err.h"
#include "rubric.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

enum {
    ARECORD_REASON_MAX = 500,   /* characters */
    ARECORD_EVIDENCE_MAX = 200,
    ARECORD_MATTER_MAX = 64,
    ARECORD_BY_MAX = 64,
};

/* Files larger than this are refused by arecord_import. */
#define ARECORD_FILE_MAX (16u << 20)

/* What to record.  Unset numbers are -1; unset strings NULL or "". */
typedef struct arecord_input {
    int year;               /* the assessment year; the date must lie in it */
    const char *date;       /* YYYY-MM-DD */
    const char *unit;
    const char *item;       /* the rubric's id */
    const char *kind;       /* score, deduct, count, bonus */
    int64_t points;         /* hundredths, or -1 */
    int64_t count;          /* or -1 */
    const char *matter;
    const char *reason;
    const char *evidence;
    const char *by;         /* who enters it */
    int field;              /* out: what a failed check is about (ARECORD_F_*), or -1 */
} arecord_input;

/* The inputs, in the order of the CSV template's columns. */
enum { ARECORD_F_DATE, ARECORD_F_UNIT, ARECORD_F_ITEM, ARECORD_F_KIND, ARECORD_F_POINTS,
       ARECORD_F_COUNT, ARECORD_F_MATTER, ARECORD_F_REASON, ARECORD_F_EVIDENCE, ARECORD_F_BY };

/* One stored record, as arecord_each gives it (strings valid during the
 * callback only). */
typedef struct arecord {
    int64_t id;
    const char *date, *unit, *item, *kind;
    int64_t points;          /* hundredths, -1 when NULL */
    int64_t count;           /* -1 when NULL */
    const char *matter, *reason, *evidence, *by, *source;
    int64_t entered_utc;
    const char *correction;  /* "", "replace", "reverse" */
    int64_t corrects;        /* the record it corrects, 0 for none */
    int64_t corrected_by;    /* the record that corrects it, 0 for none */
    const char *corrected_how; /* "replace" / "reverse" when corrected_by */
} arecord;

/* Checks in (against r, the rubric of in->year, and the units in db) and
 * completes it: a deduction without points gets per_event × count (count
 * defaulting to 1).  Fails with one sentence naming what is wrong. */
int arecord_check(sqlite3 *db, const rubric *r, arecord_input *in, mp_err *err);

/* Checks and stores one record; *id receives its id. */
int arecord_add(sqlite3 *db, const rubric *r, arecord_input *in, int64_t now_utc, int64_t *id,
                mp_err *err);

/* Stores a correction of record `target`: a reversal (how "reverse"; only
 * reason, by and optionally date and evidence are used) or a replacement
 * (how "replace": the unit, item and kind stay the target's; points, count,
 * matter, date and evidence are the target's unless in gives them).  Refuses
 * a record that is already corrected or is itself a reversal.  r must be the
 * rubric of the target's year (arecord_year_of).  *id receives the new id. */
int arecord_correct(sqlite3 *db, const rubric *r, int64_t target, const char *how,
                    arecord_input *in, int64_t now_utc, int64_t *id, mp_err *err);

/* The year of record id's date; fails when there is no such record. */
int arecord_year_of(sqlite3 *db, int64_t id, int *year, mp_err *err);

/* Every record of unit (NULL: all units) dated in year, by date then id:
 * those in force and those corrected, with how. */
typedef int (*arecord_fn)(void *user, const arecord *rec);
int arecord_each(sqlite3 *db, const char *unit, int year, arecord_fn fn, void *user,
                 mp_err *err);

/* The template for a year: a header row and comment rows naming every
 * entry that takes records, its kind and points.  UTF-8 with a byte-order
 * mark and CRLF (opens in Excel and WPS).  *out is malloc'd. */
int arecord_template(const rubric *r, char **out, size_t *len, mp_err *err);

/* Imports records from CSV text (the template's columns, in any order; see
 * docs/assessment.md), all in one transaction: a bad file stores nothing
 * and the message names its line and column.  rubric_for(user, year) gives
 * the rubric of a year (NULL with err set when there is none).  default_by
 * is who enters rows without 录入人.  *n receives the number stored. */
typedef const rubric *(*arecord_rubric_fn)(void *user, int year, mp_err *err);
int arecord_import(sqlite3 *db, const char *label, const char *buf, size_t len,
                   arecord_rubric_fn rubric_for, void *user, const char *default_by,
                   int64_t now_utc, int64_t *n, mp_err *err);

/* Checks "YYYY-MM-DD" is a calendar date (1970-9999). */
int arecord_check_date(const char *date, mp_err *err);

#endif
