/* rubric.h - the assessment rubric (考核细则与评分标准) as data.
 *
 * A rubric file transcribes annex 1 of the county notice: five categories
 * (一 … 五), their items (二.4) and sub-items (二.2.1) with points and
 * wording, the kind of each item that is scored, the bonus (加分), and the
 * office's own settings (折合 ratio, bonus maximum, grade thresholds, which
 * votes count for 民主测评).  The format, line by line (UTF-8; a byte-order
 * mark and CRLF are accepted):
 *
 *   # comment                  a comment line (also ';')
 *   [id]                       starts an entry: rubric, settings, a category
 *                              (一), an item (一.1), a sub-item (一.1.1) or 加分
 *   key = value                a field of the entry (each key once)
 *
 * Entry fields: name (categories), text, points, kind (score | deduct |
 * count | votes | bonus; none for an entry with sub-entries), per_event
 * (deduct), unit, target (count: every unit type) and target.<type> (count:
 * one unit type of unitreg.h), levels (votes).  An entry's parent (二 for
 * 二.2, 二.2 for 二.2.1) must come before it.  The file keeps the notice's
 * figures even where they do not add up; rubric_check lists those places.
 *
 * Points are kept in hundredths (int64_t): 12 points is 1200.
 */
#ifndef MINPING_RUBRIC_H
#define MINPING_RUBRIC_H

#include "err.h"
#include "unitreg.h"

#include <stddef.h>
#include <stdint.h>

/* Files larger than this are refused. */
#define RUBRIC_FILE_MAX (1u << 20)

enum {
    RUBRIC_ID_MAX = 32,       /* bytes of an id, with its NUL */
    RUBRIC_GRADES_MAX = 8,
    RUBRIC_CHANNELS_MAX = 8,
    RUBRIC_NO_POINTS = -1,    /* an entry the notice gives no points */
};

typedef enum rubric_kind {
    RUBRIC_CATEGORY, /* 一 … 五 with items (五 itself is RUBRIC_VOTES) */
    RUBRIC_GROUP,    /* an item made of sub-items */
    RUBRIC_SCORE,    /* met / partly met: the office enters 0 .. points */
    RUBRIC_DEDUCT,   /* starts full, loses per_event for each event */
    RUBRIC_COUNT,    /* a yearly count against a target by unit type */
    RUBRIC_VOTES,    /* 民主测评, computed from the votes */
    RUBRIC_BONUS,    /* 加分, outside the total, capped by settings.bonus_max */
} rubric_kind;

typedef struct rubric_item {
    char id[RUBRIC_ID_MAX]; /* "一", "二.2", "二.2.1", "加分" */
    int depth;              /* 1 category, 2 item, 3 sub-item; 0 for 加分 */
    int parent;             /* index of the parent entry, -1 for a category and 加分 */
    int line;               /* where the entry starts in the file */
    rubric_kind kind;
    const char *name;       /* categories: 基础工作情况; "" otherwise */
    const char *text;       /* the notice's wording; "" if none */
    int64_t points;         /* hundredths, or RUBRIC_NO_POINTS */
    int64_t per_event;      /* deduct: hundredths lost per event */
    const char *unit;       /* count: 条, 篇; "" if none */
    int64_t target[UNITREG_TYPES]; /* count: by UNITREG_TYPE_NAMES; -1: none */
} rubric_item;

typedef struct rubric_grade {
    char name[64];   /* 优秀 */
    int64_t min;     /* hundredths: the 总分 from which it is given */
} rubric_grade;

typedef struct rubric_settings {
    int64_t ratio;        /* 折合 = 总分 × ratio / 10000 (ratio in ten-thousandths) */
    int64_t bonus_max;    /* hundredths */
    rubric_grade grades[RUBRIC_GRADES_MAX]; /* by threshold, highest first */
    int n_grades;
    int include_flagged;  /* votes_flagged = include */
    int all_channels;     /* votes_channels = all */
    char channels[RUBRIC_CHANNELS_MAX][16];
    int n_channels;
} rubric_settings;

typedef struct rubric rubric;

/* Parses and checks the rubric text buf (label names it in messages: a file
 * name).  Fails with the line and the reason on anything malformed: an
 * unknown or repeated key or entry, an entry before its parent, a missing
 * field, a bad number.  Free *out with rubric_destroy. */
int rubric_parse(const char *label, const char *buf, size_t len, rubric **out, mp_err *err);

/* Reads the file at path (at most RUBRIC_FILE_MAX bytes) and parses it. */
int rubric_load(const char *path, rubric **out, mp_err *err);

void rubric_destroy(rubric *r);

const char *rubric_title(const rubric *r);
const char *rubric_source(const rubric *r);
const char *rubric_label(const rubric *r); /* the label given to rubric_parse */
int rubric_year(const rubric *r);
int64_t rubric_total(const rubric *r);      /* hundredths: 10000 */
const rubric_settings *rubric_get_settings(const rubric *r);

/* The entries in file order: categories, items and sub-items, and 加分. */
size_t rubric_count(const rubric *r);
const rubric_item *rubric_at(const rubric *r, size_t i);

/* The entry with that id, or NULL. */
const rubric_item *rubric_find(const rubric *r, const char *id);
/* Its index in file order (for rubric_at), or -1. */
int rubric_index(const rubric *r, const char *id);

/* Does the entry take records of this kind ("score", "deduct", "count",
 * "bonus")?  Only leaves do, each the kind it is. */
int rubric_takes(const rubric_item *it, const char *kind);

/* The target of a count item for a unit type, or -1 when the rubric names
 * none for that type (type NULL or unknown: -1 too). */
int64_t rubric_target(const rubric_item *it, const char *unit_type);

/* The grade of a 总分 (hundredths): the first whose threshold it reaches, or
 * "" when it reaches none. */
const char *rubric_grade_of(const rubric *r, int64_t total);

/* Where the rubric's own numbers disagree, one finding each, in file order:
 * an item whose sub-items add up to more or less than its points, a
 * deduction without points, categories that do not add up to the total, a
 * count item without a target for some unit type.  *out (malloc'd, free
 * with free()) holds *n findings. */
typedef struct rubric_finding {
    char id[RUBRIC_ID_MAX];
    char msg[480];
} rubric_finding;
int rubric_check(const rubric *r, rubric_finding **out, size_t *n, mp_err *err);

/* The most an entry can earn (hundredths): its points, or less when its
 * sub-entries add up to less. */
int64_t rubric_attainable(const rubric *r, size_t index);

/* "12.5" style points: digits with at most `decimals` after the point.
 * Stores value × 10^decimals in *out.  Fails on anything else, on a
 * negative number and on more than 1e9. */
int rubric_parse_decimal(const char *s, int decimals, int64_t *out, mp_err *err);

/* Hundredths as "12.00" (two decimals, "-" for a negative). */
void rubric_fmt2(int64_t hundredths, char *buf, size_t len);

/* Hundredths as "12" or "1.5": without trailing zeros. */
void rubric_fmt(int64_t hundredths, char *buf, size_t len);

/* The kind's name in the file ("score", …) and in Chinese (评分, 扣分, 计数,
 * 民主测评, 加分, 分类, 小项合计). */
const char *rubric_kind_name(rubric_kind k);
const char *rubric_kind_zh(rubric_kind k);

#endif
