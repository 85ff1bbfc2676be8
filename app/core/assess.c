/* assess.c - computing the year-end scorecard (see assess.h). */
#include "assess.h"

#include "arecord.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t assess_round_div(int64_t num, int64_t den)
{
    return (2 * num + den) / (2 * den);
}

static int db_fail(sqlite3 *db, mp_err *err)
{
    return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
}

typedef struct collect {
    assess_unit *u;
    int oom;
} collect;

static char *dup(collect *c, const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        c->oom = 1;
    return d;
}

static int collect_rec(void *user, const arecord *a)
{
    collect *c = user;
    assess_rec *more = realloc(c->u->recs, (c->u->n_recs + 1) * sizeof *more);
    if (!more) {
        c->oom = 1;
        return 1;
    }
    c->u->recs = more;
    assess_rec *r = &more[c->u->n_recs++];
    memset(r, 0, sizeof *r);
    r->id = a->id;
    snprintf(r->date, sizeof r->date, "%s", a->date);
    snprintf(r->item, sizeof r->item, "%s", a->item);
    snprintf(r->kind, sizeof r->kind, "%s", a->kind);
    r->points = a->points;
    r->count = a->count;
    r->matter = dup(c, a->matter);
    r->reason = dup(c, a->reason);
    r->evidence = dup(c, a->evidence);
    r->by = dup(c, a->by);
    if (strcmp(a->correction, "reverse") == 0) {
        r->state = ASSESS_REVERSAL;
        r->other = a->corrects;
    } else if (a->corrected_by) {
        r->state = ASSESS_CORRECTED;
        r->other = a->corrected_by;
    } else {
        r->state = ASSESS_COUNTED;
    }
    return c->oom;
}

/* Applies the rules to one unit's records and votes. */
static int compute_unit(const rubric *r, assess_unit *u, mp_err *err)
{
    size_t n = rubric_count(r);
    const rubric_settings *set = rubric_get_settings(r);
    int64_t *extra = calloc(n, sizeof *extra); /* deductions of pointless sub-entries */
    if (!extra)
        return mp_fail(err, "out of memory");

    /* Records the rubric must know; the latest score of an entry counts. */
    for (size_t i = 0; i < u->n_recs; i++) {
        assess_rec *rec = &u->recs[i];
        const rubric_item *it = rubric_find(r, rec->item);
        if (!it || !rubric_takes(it, rec->kind)) {
            free(extra);
            return mp_fail(err,
                           "record %" PRId64 " of %s (%s, kind %s) does not fit the %d rubric: "
                           "was the rubric changed after the record was entered?",
                           rec->id, u->code, rec->item, rec->kind, rubric_year(r));
        }
        if (rec->state != ASSESS_COUNTED || strcmp(rec->kind, "score") != 0)
            continue;
        for (size_t j = i + 1; j < u->n_recs; j++) {
            assess_rec *later = &u->recs[j]; /* by date then id: later wins */
            if (later->state == ASSESS_COUNTED && strcmp(later->item, rec->item) == 0 &&
                strcmp(later->kind, "score") == 0) {
                rec->state = ASSESS_SUPERSEDED;
                rec->other = later->id;
                break;
            }
        }
    }
    /* 从重: one deduction per matter, the heaviest (the earliest of equals). */
    for (size_t i = 0; i < u->n_recs; i++) {
        assess_rec *a = &u->recs[i];
        if (a->state != ASSESS_COUNTED || strcmp(a->kind, "deduct") != 0 || !*a->matter)
            continue;
        for (size_t j = 0; j < u->n_recs; j++) {
            assess_rec *b = &u->recs[j];
            if (j == i || b->state != ASSESS_COUNTED || strcmp(b->kind, "deduct") != 0 ||
                strcmp(a->matter, b->matter) != 0)
                continue;
            if (b->points > a->points || (b->points == a->points && b->id < a->id)) {
                a->state = ASSESS_DROPPED;
                a->other = b->id;
                break;
            }
        }
    }
    /* The 从重 winner may itself have been dropped by a heavier one found
     * later in the loop: point every dropped record at the one that counts. */
    for (size_t i = 0; i < u->n_recs; i++) {
        assess_rec *a = &u->recs[i];
        for (int hops = 0; a->state == ASSESS_DROPPED && hops < 1000; hops++) {
            assess_rec *to = NULL;
            for (size_t j = 0; j < u->n_recs; j++)
                if (u->recs[j].id == a->other)
                    to = &u->recs[j];
            if (!to || to->state != ASSESS_DROPPED)
                break;
            a->other = to->other;
        }
    }

    /* Sum what counts, per entry. */
    u->bonus_claimed = 0;
    for (size_t i = 0; i < u->n_recs; i++) {
        const assess_rec *rec = &u->recs[i];
        if (rec->state != ASSESS_COUNTED)
            continue;
        int k = rubric_index(r, rec->item);
        assess_item *ai = &u->items[k];
        if (strcmp(rec->kind, "score") == 0) {
            ai->earned = rec->points;
            ai->assessed = 1;
        } else if (strcmp(rec->kind, "count") == 0) {
            ai->count += rec->count;
        } else if (strcmp(rec->kind, "deduct") == 0) {
            ai->deducted += rec->points;
        } else {
            u->bonus_claimed += rec->points;
        }
    }

    /* Children come after their parent in the rubric: go backwards. */
    for (size_t k = n; k-- > 0;) {
        const rubric_item *it = rubric_at(r, k);
        assess_item *ai = &u->items[k];
        switch (it->kind) {
        case RUBRIC_SCORE:
            break; /* earned is the record's points, or 0 */
        case RUBRIC_COUNT:
            ai->target = rubric_target(it, *u->type ? u->type : NULL);
            if (ai->target <= 0)
                ai->earned = 0;
            else if (ai->count >= ai->target)
                ai->earned = it->points;
            else
                ai->earned = assess_round_div(it->points * ai->count, ai->target);
            break;
        case RUBRIC_DEDUCT:
            if (it->points == RUBRIC_NO_POINTS) {
                extra[it->parent] += ai->deducted;
                ai->earned = 0;
            } else {
                ai->earned = ai->deducted >= it->points ? 0 : it->points - ai->deducted;
            }
            break;
        case RUBRIC_VOTES:
            /* 民主测评得分 is out of 10: scale it to the entry's points. */
            ai->earned = assess_round_div(u->votes.s.hundredths * it->points, 1000);
            break;
        case RUBRIC_BONUS:
            u->bonus = u->bonus_claimed > set->bonus_max ? set->bonus_max : u->bonus_claimed;
            ai->earned = u->bonus;
            break;
        case RUBRIC_CATEGORY:
        case RUBRIC_GROUP: {
            int64_t sum = 0;
            for (size_t j = k + 1; j < n; j++) {
                const rubric_item *ch = rubric_at(r, j);
                if (ch->parent == (int)k && ch->points != RUBRIC_NO_POINTS)
                    sum += u->items[j].earned;
            }
            if (sum > it->points)
                sum = it->points;
            ai->deducted = extra[k];
            ai->earned = extra[k] >= sum ? 0 : sum - extra[k];
            break;
        }
        }
    }
    free(extra);
    u->base = 0;
    for (size_t k = 0; k < n; k++)
        if (rubric_at(r, k)->depth == 1)
            u->base += u->items[k].earned;
    u->total = u->base + u->bonus;
    u->scaled = assess_round_div(u->total * set->ratio, 10000);
    u->grade = rubric_grade_of(r, u->total);
    return 0;
}

static void rank(assess_result *res)
{
    for (size_t i = 0; i < res->n_units; i++) {
        assess_unit *u = &res->units[i];
        u->rank = u->rank_in_type = 1;
        for (size_t j = 0; j < res->n_units; j++) {
            const assess_unit *v = &res->units[j];
            if (v->total > u->total) {
                u->rank++;
                if (strcmp(v->type, u->type) == 0)
                    u->rank_in_type++;
            }
        }
    }
}

static void free_unit(assess_unit *u)
{
    free(u->code);
    free(u->name);
    free(u->type);
    free(u->items);
    for (size_t j = 0; j < u->n_recs; j++) {
        free(u->recs[j].matter);
        free(u->recs[j].reason);
        free(u->recs[j].evidence);
        free(u->recs[j].by);
    }
    free(u->recs);
}

void assess_free(assess_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n_units; i++)
        free_unit(&res->units[i]);
    free(res->units);
    free(res);
}

int assess_compute(sqlite3 *db, const rubric *r, int year, const char *only,
                   assess_result **out, mp_err *err)
{
    *out = NULL;
    assess_result *res = calloc(1, sizeof *res);
    if (!res)
        return mp_fail(err, "out of memory");
    res->year = year;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT code, name, coalesce(type, '') FROM units ORDER BY code",
                           -1, &st, NULL) != SQLITE_OK) {
        free(res);
        return db_fail(db, err);
    }
    int rc;
    collect c = {NULL, 0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        assess_unit *more = realloc(res->units, (res->n_units + 1) * sizeof *more);
        if (!more) {
            c.oom = 1;
            break;
        }
        res->units = more;
        assess_unit *u = &more[res->n_units++];
        memset(u, 0, sizeof *u);
        c.u = u;
        u->code = dup(&c, (const char *)sqlite3_column_text(st, 0));
        u->name = dup(&c, (const char *)sqlite3_column_text(st, 1));
        u->type = dup(&c, (const char *)sqlite3_column_text(st, 2));
        u->items = calloc(rubric_count(r), sizeof *u->items);
        if (!u->items || c.oom) {
            c.oom = 1;
            break;
        }
    }
    sqlite3_finalize(st);
    if (c.oom) {
        assess_free(res);
        return mp_fail(err, "out of memory");
    }
    if (rc != SQLITE_DONE) {
        assess_free(res);
        return db_fail(db, err);
    }
    int found = only == NULL;
    for (size_t i = 0; i < res->n_units; i++) {
        assess_unit *u = &res->units[i];
        found |= only && strcmp(only, u->code) == 0;
        c.u = u;
        if (arecord_each(db, u->code, year, collect_rec, &c, err) < 0 || c.oom ||
            assess_votes_unit(db, u->code, year, rubric_get_settings(r), &u->votes, err) < 0 ||
            compute_unit(r, u, err) < 0) {
            if (c.oom)
                mp_fail(err, "out of memory");
            assess_free(res);
            return -1;
        }
    }
    if (!found) {
        assess_free(res);
        return mp_fail(err, "unknown unit %s: register it with minping-office units import", only);
    }
    rank(res);
    if (only) {
        /* Keep only that unit (its ranks were set among all). */
        size_t keep = 0;
        for (size_t i = 0; i < res->n_units; i++) {
            if (strcmp(res->units[i].code, only) == 0) {
                assess_unit tmp = res->units[i];
                res->units[i] = res->units[keep];
                res->units[keep] = tmp;
                keep++;
            }
        }
        for (size_t i = keep; i < res->n_units; i++)
            free_unit(&res->units[i]);
        res->n_units = keep;
    }
    *out = res;
    return 0;
}
