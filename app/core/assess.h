/* assess.h - the year-end scorecard: every unit's points on every rubric
 * entry, computed from the year's records (arecord.h) and votes
 * (assess_votes.h) by the notice's rules.
 *
 * All points are hundredths (int64_t), so every figure is exact and the
 * working can be redone by hand:
 *
 *   score    the entry's latest record in force of the year (date, then id);
 *            none: 0 (not yet assessed)
 *   count    the year's counts added up; at or above the target of the
 *            unit's type: the entry's points; below: points × count ÷ target,
 *            rounded half up to 0.01 (pro rata); no target for the type: 0,
 *            with a note
 *   deduct   the entry's points less its deductions, never below 0 (扣完为止);
 *            a deduction entry without points (三.2.3) deducts from its
 *            parent item instead, never below 0 either
 *   从重      deductions in force that share a matter id count once: the
 *            heaviest (the earliest of equals); the others are kept in the
 *            working, marked dropped, naming the one that counted
 *   item     (an entry with sub-entries) the sum of its sub-entries, at most
 *            its own points, less the deductions of a pointless sub-entry,
 *            never below 0
 *   五        score_compute's 民主测评得分 of the year's votes (×points/10)
 *   加分      the bonuses in force added up, at most settings.bonus_max;
 *            outside the 100
 *   总分      一 + 二 + 三 + 四 + 五 + 加分
 *   折合      总分 × settings.ratio, rounded half up to 0.01
 *   名次      by 总分, highest first, overall and within the unit type;
 *            equal totals share a rank (1, 1, 3)
 *   等级意见   the first grade whose threshold 总分 reaches
 *
 * The year is 1 January to 31 December: records dated in it, votes whose
 * kiosk-local date is in it.
 */
#ifndef MINPING_ASSESS_H
#define MINPING_ASSESS_H

#include "assess_votes.h"
#include "err.h"
#include "rubric.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

typedef enum assess_state {
    ASSESS_COUNTED,    /* in force and counted */
    ASSESS_DROPPED,    /* 从重: another deduction of the same matter counted */
    ASSESS_SUPERSEDED, /* a later score of the same entry counted */
    ASSESS_CORRECTED,  /* replaced or reversed by a later record (other) */
    ASSESS_REVERSAL,   /* a reversal: withdraws the record it names (other) */
} assess_state;

/* One record of the unit's year, as the working shows it. */
typedef struct assess_rec {
    int64_t id;
    char date[11];
    char item[RUBRIC_ID_MAX];
    char kind[8];
    int64_t points;          /* hundredths, -1 when none */
    int64_t count;           /* -1 when none */
    char *matter, *reason, *evidence, *by;
    assess_state state;
    int64_t other;           /* the record that counted instead, corrected it, or is reversed */
} assess_rec;

/* One rubric entry of one unit (index as in rubric_at). */
typedef struct assess_item {
    int64_t earned;    /* hundredths */
    int64_t deducted;  /* deduct: the deductions counted (before 扣完为止) */
    int64_t count;     /* count: the year's total */
    int64_t target;    /* count: the target of the unit's type, -1 when none */
    int assessed;      /* score: a record counts */
} assess_item;

typedef struct assess_unit {
    char *code, *name, *type; /* type "" when the registry has none */
    assess_item *items;       /* rubric_count entries */
    assess_rec *recs;         /* every record of the year, by date then id */
    size_t n_recs;
    assess_votes votes;
    int64_t base;             /* 一 … 五 */
    int64_t bonus_claimed;    /* 加分 before the cap */
    int64_t bonus;            /* after the cap */
    int64_t total;            /* base + bonus */
    int64_t scaled;           /* 折合 */
    int rank, rank_in_type;
    const char *grade;        /* points into the rubric */
} assess_unit;

typedef struct assess_result {
    int year;
    assess_unit *units;       /* by code */
    size_t n_units;
} assess_result;

/* Computes the scorecard of year for every registered unit (or only the
 * unit `only`, which must be registered; ranks are still among all units)
 * by the rubric r.  Fails on a record whose entry or kind the rubric does
 * not have (the rubric was edited after it was entered): never dropped
 * silently.  Free *out with assess_free. */
int assess_compute(sqlite3 *db, const rubric *r, int year, const char *only,
                   assess_result **out, mp_err *err);

void assess_free(assess_result *res);

/* Rounds num / den (num >= 0, den > 0) half up to a whole number. */
int64_t assess_round_div(int64_t num, int64_t den);

#endif
