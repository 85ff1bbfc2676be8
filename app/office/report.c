/* report.c - `minping-office report`: each registered unit's 民主测评 counts
 * and score for a period, as an aligned terminal table, an Excel-friendly
 * CSV file, or one self-contained HTML page.
 *
 * The numbers come from the ledger (ledger_each_unit_counts) and the score
 * from score_compute: integers only, so the report shows the very value a
 * person computes by hand from its counts.  Every format has the same
 * columns:
 *
 *   单位代码, 单位名称, 非常满意, 基本满意, 一般, 不满意, 有效票数, 疑似刷票, 民主测评得分,
 *   现场票数, 网上票数 (有效票数 by channel: kiosk, online; --channel narrows to one),
 *   已排除 (votes excluded on review, never counted)
 *
 * 疑似刷票 is the number of flagged votes not excluded; they are counted in
 * the other columns and the score only with --include-flagged.  Each score's
 * 95 % interval (interval.h), and whether it rests on fewer than 30 votes,
 * follow: three more columns in the CSV file (INTERVAL_COLUMNS), one column
 * and a mark in the table and on the HTML page.  The HTML page adds the
 * formula and each unit's working, a chart per unit, the gap and clock
 * warnings and the list of imported files.
 */
#include "office.h"

#include "i18n.h"

#include "clock.h"
#include "fsutil.h"
#include "interval.h"
#include "ledger.h"
#include "ledger_followup.h"
#include "registry.h"
#include "review.h"
#include "score.h"
#include "tally.h"
#include "utf8.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CMD "report"

enum format { FMT_TABLE, FMT_CSV, FMT_HTML };

enum { REPORT_REASONS = 16, REPORT_COMMENTS = 30 };

static const char *const COLUMN_NAMES[] = {"单位代码", "单位名称", "非常满意", "基本满意", "一般",
                                           "不满意", "有效票数", "疑似刷票", "民主测评得分",
                                           "现场票数", "网上票数", "已排除"};
enum { N_REPORT_COLUMNS = sizeof COLUMN_NAMES / sizeof COLUMN_NAMES[0] };

/* The CSV file's columns after COLUMN_NAMES: the interval's bounds and 是 for
 * a score on fewer than INTERVAL_FEW_VOTES votes (否 from there on, blank
 * without votes). */
static const char *const INTERVAL_COLUMNS[] = {"95%区间下限", "95%区间上限", "有效票少于30"};
enum { N_INTERVAL_COLUMNS = sizeof INTERVAL_COLUMNS / sizeof INTERVAL_COLUMNS[0] };
/* The table's column after COLUMN_NAMES: the interval, "*" for few votes. */
#define INTERVAL_TABLE_COLUMN "95%区间"

/* A unit's votes of one month (the part of it inside the period). */
typedef struct umonth {
    char month[8];                /* "2026-03" */
    int64_t counts[RATING_COUNT]; /* counted as the report counts */
} umonth;

/* An exclusion record that excludes votes of a unit in the period. */
typedef struct uexcl {
    int64_t id, votes;
} uexcl;

/* One unit of the report. */
typedef struct urow {
    char *code, *name, *type;
    int64_t counts[RATING_COUNT]; /* the votes counted (flagged ones too with --include-flagged) */
    int64_t flagged;              /* flagged votes in the period */
    score s;
    int64_t kiosk, online;        /* the votes counted, by channel: 现场票数, 网上票数 */
    int64_t followups;            /* follow-ups in the period */
    char *reason[REPORT_REASONS]; /* the reasons given, first seen first, and how often */
    int64_t reason_n[REPORT_REASONS];
    size_t n_reasons;
    int64_t other_reasons;        /* given beyond REPORT_REASONS distinct ones */
    char **comments;              /* comments after 一般/不满意: "【不满意】…" */
    size_t n_comments;
    int64_t excluded;             /* votes excluded on review (votes exclude): 已排除 */
    uexcl *excls;                 /* the records that excluded them */
    size_t n_excls;
    umonth *months;               /* HTML only: month by month, by month */
    size_t n_months;
    int64_t dis_hour[24];         /* HTML only: 不满意 counted, by local hour */
    int64_t dis_weekday[7];       /* and by weekday, 一 .. 日 */
} urow;

/* One record of vote_exclusions, kept. */
typedef struct review_row {
    review_record r; /* its strings are the copies below */
    char *kiosk, *instance, *reason, *by;
} review_row;

typedef struct gap_row {
    char *kiosk, *instance, *ranges;
    int64_t missing;
} gap_row;

typedef struct clock_row {
    ledger_clock_warning w; /* its strings point to kiosk and seqs below */
    char *kiosk, *seqs;
} clock_row;

typedef struct import_row {
    ledger_import_info i; /* its strings are the copies below */
    char *file, *kiosk, *instance, *absent;
} import_row;

typedef struct report {
    const char *from, *to; /* local dates, NULL: unbounded */
    int year;              /* --year, or 0 */
    int include_flagged;
    const char *channel;   /* --channel kiosk or online; NULL: all */
    const char *db_path;
    int64_t generated_utc;
    urow *units;
    size_t n_units;
    urow *strays; /* votes for codes not in the registry */
    size_t n_strays;
    gap_row *gaps;
    size_t n_gaps;
    clock_row *clocks;
    size_t n_clocks;
    import_row *imports;
    size_t n_imports;
    review_row *reviews;   /* every exclusion and restore, oldest first */
    size_t n_reviews;
    int trends;            /* gather the months and the spread of 不满意 (HTML) */
    int oom;
} report;

/* Grows *arr (of n elements of size sz) by one zeroed element; NULL when out
 * of memory. */
static void *grow(void *arr_ptr, size_t *n, size_t sz)
{
    void **arr = arr_ptr;
    char *more = realloc(*arr, (*n + 1) * sz);
    if (!more)
        return NULL;
    *arr = more;
    memset(more + *n * sz, 0, sz);
    return more + (*n)++ * sz;
}

static char *dup_or_flag(report *r, const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        r->oom = 1;
    return d;
}

static int add_unit(report *r, urow **arr, size_t *n, const ledger_unit_counts *u)
{
    urow *row = grow(arr, n, sizeof **arr);
    if (!row) {
        r->oom = 1;
        return 1;
    }
    row->code = dup_or_flag(r, u->code);
    row->name = dup_or_flag(r, u->name);
    row->type = dup_or_flag(r, u->type);
    for (int i = 0; i < RATING_COUNT; i++) {
        row->counts[i] = u->counts[i] + (r->include_flagged ? u->flagged[i] : 0);
        row->flagged += u->flagged[i];
        row->excluded += u->excluded[i] + u->excluded_flagged[i];
    }
    if (score_compute(row->counts, &row->s, NULL) < 0)
        row->s.votes = 0; /* beyond SCORE_VOTES_MAX: cannot happen with a real ledger */
    return r->oom;
}

static int collect_unit(void *user, const ledger_unit_counts *u)
{
    report *r = user;
    return add_unit(r, &r->units, &r->n_units, u);
}

static int collect_stray(void *user, const ledger_unit_counts *u)
{
    report *r = user;
    return add_unit(r, &r->strays, &r->n_strays, u);
}

typedef struct gap_ctx {
    report *r;
    sqlite3 *db;
    mp_err *err;
} gap_ctx;

static int collect_instance(void *user, const ledger_instance *in)
{
    gap_ctx *g = user;
    if (in->missing <= 0)
        return 0;
    gap_row *row = grow(&g->r->gaps, &g->r->n_gaps, sizeof *g->r->gaps);
    if (!row) {
        g->r->oom = 1;
        return 1;
    }
    row->kiosk = dup_or_flag(g->r, in->kiosk_id);
    row->instance = dup_or_flag(g->r, in->instance);
    if (ledger_gap_text(g->db, in->kiosk_id, in->instance, 40, &row->ranges, &row->missing,
                        g->err) < 0)
        return 1;
    return g->r->oom;
}

static int collect_clock(void *user, const ledger_clock_warning *w)
{
    report *r = user;
    clock_row *row = grow(&r->clocks, &r->n_clocks, sizeof *r->clocks);
    if (!row) {
        r->oom = 1;
        return 1;
    }
    row->w = *w;
    row->kiosk = dup_or_flag(r, w->kiosk_id);
    row->seqs = dup_or_flag(r, w->seqs);
    row->w.kiosk_id = row->kiosk;
    row->w.seqs = row->seqs;
    return r->oom;
}

static int collect_import(void *user, const ledger_import_info *i)
{
    report *r = user;
    import_row *row = grow(&r->imports, &r->n_imports, sizeof *r->imports);
    if (!row) {
        r->oom = 1;
        return 1;
    }
    row->i = *i;
    row->file = dup_or_flag(r, i->file_name);
    row->kiosk = dup_or_flag(r, i->kiosk_id);
    row->instance = dup_or_flag(r, i->instance);
    row->absent = dup_or_flag(r, i->absent_seqs);
    row->i.file_name = row->file;
    row->i.kiosk_id = row->kiosk;
    row->i.instance = row->instance;
    row->i.absent_seqs = row->absent;
    row->i.sha256 = row->i.key_id = NULL; /* not kept */
    return r->oom;
}

static void free_units(urow *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(u[i].code);
        free(u[i].name);
        free(u[i].type);
        for (size_t k = 0; k < u[i].n_reasons; k++)
            free(u[i].reason[k]);
        for (size_t k = 0; k < u[i].n_comments; k++)
            free(u[i].comments[k]);
        free(u[i].comments);
        free(u[i].excls);
        free(u[i].months);
    }
    free(u);
}

static void report_free(report *r)
{
    free_units(r->units, r->n_units);
    free_units(r->strays, r->n_strays);
    for (size_t i = 0; i < r->n_gaps; i++) {
        free(r->gaps[i].kiosk);
        free(r->gaps[i].instance);
        free(r->gaps[i].ranges);
    }
    free(r->gaps);
    for (size_t i = 0; i < r->n_clocks; i++) {
        free(r->clocks[i].kiosk);
        free(r->clocks[i].seqs);
    }
    free(r->clocks);
    for (size_t i = 0; i < r->n_imports; i++) {
        free(r->imports[i].file);
        free(r->imports[i].kiosk);
        free(r->imports[i].instance);
        free(r->imports[i].absent);
    }
    free(r->imports);
    for (size_t i = 0; i < r->n_reviews; i++) {
        free(r->reviews[i].kiosk);
        free(r->reviews[i].instance);
        free(r->reviews[i].reason);
        free(r->reviews[i].by);
    }
    free(r->reviews);
}

/* A follow-up: its reasons counted and, after 一般 or 不满意, its comment kept. */
static int collect_followup(void *user, const ledger_followup_info *fu)
{
    report *r = user;
    urow *u = NULL;
    for (size_t i = 0; i < r->n_units && !u; i++)
        if (strcmp(r->units[i].code, fu->unit_code) == 0)
            u = &r->units[i];
    if (!u)
        return 0; /* an unregistered unit: not in the report's cards */
    u->followups++;
    for (const char *p = fu->reasons; *p;) {
        size_t n = strcspn(p, "|");
        size_t k;
        for (k = 0; k < u->n_reasons; k++)
            if (strlen(u->reason[k]) == n && memcmp(u->reason[k], p, n) == 0)
                break;
        if (k < u->n_reasons) {
            u->reason_n[k]++;
        } else if (u->n_reasons < REPORT_REASONS) {
            if (!(u->reason[k] = strndup(p, n)))
                return r->oom = 1;
            u->reason_n[k] = 1;
            u->n_reasons++;
        } else {
            u->other_reasons++;
        }
        p += n;
        if (*p == '|')
            p++;
    }
    if (*fu->comment && (fu->points == 6 || fu->points == 0)) {
        char **more = realloc(u->comments, (u->n_comments + 1) * sizeof *more);
        if (!more)
            return r->oom = 1;
        u->comments = more;
        size_t len = strlen(fu->comment) + 32;
        if (!(more[u->n_comments] = malloc(len)))
            return r->oom = 1;
        snprintf(more[u->n_comments], len, "【%s】%s", fu->points == 6 ? "一般" : "不满意",
                 fu->comment);
        u->n_comments++;
    }
    return 0;
}

/* 现场票数 and 网上票数 of a unit in the report. */
static int collect_channels(void *user, const char *code, int64_t kiosk, int64_t online)
{
    report *r = user;
    for (size_t i = 0; i < r->n_units; i++)
        if (strcmp(r->units[i].code, code) == 0) {
            r->units[i].kiosk = kiosk;
            r->units[i].online = online;
        }
    return 0;
}

static urow *unit_by_code(report *r, const char *code)
{
    /* r->units are by code (ledger_each_unit_counts_in). */
    size_t lo = 0, hi = r->n_units;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(r->units[mid].code, code);
        if (c == 0)
            return &r->units[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int collect_review(void *user, const review_record *rec)
{
    report *r = user;
    review_row *row = grow(&r->reviews, &r->n_reviews, sizeof *r->reviews);
    if (!row) {
        r->oom = 1;
        return 1;
    }
    row->r = *rec;
    row->kiosk = dup_or_flag(r, rec->kiosk_id);
    row->instance = dup_or_flag(r, rec->instance);
    row->reason = dup_or_flag(r, rec->reason);
    row->by = dup_or_flag(r, rec->by);
    row->r.kiosk_id = row->kiosk;
    row->r.instance = row->instance;
    row->r.reason = row->reason;
    row->r.by = row->by;
    return r->oom;
}

static int collect_unit_exclusion(void *user, const char *code, int64_t id, int64_t votes)
{
    report *r = user;
    urow *u = unit_by_code(r, code);
    if (!u)
        return 0; /* an unregistered unit */
    uexcl *e = grow(&u->excls, &u->n_excls, sizeof *u->excls);
    if (!e)
        return r->oom = 1;
    e->id = id;
    e->votes = votes;
    return 0;
}

static int collect_month(void *user, const char *code, const char *month, const tally_counts *t)
{
    report *r = user;
    urow *u = unit_by_code(r, code);
    if (!u)
        return 0;
    umonth *m = grow(&u->months, &u->n_months, sizeof *u->months);
    if (!m)
        return r->oom = 1;
    snprintf(m->month, sizeof m->month, "%s", month);
    for (int i = 0; i < RATING_COUNT; i++)
        m->counts[i] = t->n[TALLY_COUNTED][i] + (r->include_flagged ? t->n[TALLY_FLAGGED][i] : 0);
    return 0;
}

static int collect_spread(void *user, const char *code, const tally_spread *s)
{
    report *r = user;
    urow *u = unit_by_code(r, code);
    if (!u)
        return 0;
    for (int h = 0; h < 24; h++)
        u->dis_hour[h] = s->hour[h][TALLY_COUNTED] +
                         (r->include_flagged ? s->hour[h][TALLY_FLAGGED] : 0);
    for (int d = 0; d < 7; d++)
        u->dis_weekday[d] = s->weekday[d][TALLY_COUNTED] +
                            (r->include_flagged ? s->weekday[d][TALLY_FLAGGED] : 0);
    return 0;
}

static int gather(sqlite3 *db, report *r, mp_err *err)
{
    gap_ctx g = {r, db, err};
    int rc = 0;
    if (ledger_each_unit_counts_in(db, r->from, r->to, r->channel, collect_unit, r, err) < 0 ||
        ledger_each_unregistered_in(db, r->from, r->to, r->channel, collect_stray, r, err) < 0 ||
        ledger_each_channel_votes(db, r->from, r->to, r->channel, r->include_flagged,
                                  collect_channels, r, err) < 0 ||
        ledger_followup_each(db, r->from, r->to, r->channel, collect_followup, r, err) < 0 ||
        ledger_each_instance(db, NULL, collect_instance, &g, err) < 0 ||
        ledger_each_clock_warning(db, NULL, r->from, r->to, collect_clock, r, err) < 0 ||
        ledger_each_import(db, collect_import, r, err) < 0 ||
        review_each(db, NULL, collect_review, r, err) < 0 ||
        review_each_unit(db, r->from, r->to, r->channel, collect_unit_exclusion, r, err) < 0 ||
        (r->trends &&
         (tally_each_month(db, r->from, r->to, r->channel, collect_month, r, err) < 0 ||
          tally_each_spread(db, r->from, r->to, r->channel, collect_spread, r, err) < 0)))
        rc = -1;
    if (r->oom)
        return mp_fail(err, "out of memory");
    return rc;
}

/* ---- text helpers ---- */

static void fmt_count(int64_t n, char buf[24])
{
    snprintf(buf, 24, "%" PRId64, n);
}

/* "2026-01-31" as "2026年1月31日". */
static void date_zh(const char *d, char *buf, size_t len)
{
    snprintf(buf, len, "%.4s年%d月%d日", d, atoi(d + 5), atoi(d + 8));
}

/* The period in words. */
static void period_zh(const report *r, char *buf, size_t len)
{
    char a[32], b[32];
    if (r->from)
        date_zh(r->from, a, sizeof a);
    if (r->to)
        date_zh(r->to, b, sizeof b);
    if (r->year)
        snprintf(buf, len, "%d年度（%s至%s）", r->year, a, b);
    else if (r->from && r->to)
        snprintf(buf, len, "%s至%s", a, b);
    else if (r->from)
        snprintf(buf, len, "%s起", a);
    else if (r->to)
        snprintf(buf, len, "截至%s", b);
    else
        snprintf(buf, len, "全部日期");
}

/* Columns a code point takes on a terminal: 2 for East Asian wide and
 * fullwidth characters, 0 for combining marks, else 1. */
static int cp_width(uint32_t cp)
{
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
        (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

static int text_width(const char *s)
{
    size_t len = strlen(s);
    int w = 0;
    while (len > 0) {
        uint32_t cp;
        size_t n = utf8_decode(s, len, &cp);
        if (n == 0) { /* not UTF-8: count the byte */
            n = 1;
            cp = '?';
        }
        w += cp_width(cp);
        s += n;
        len -= n;
    }
    return w;
}

static void pad(FILE *f, int n)
{
    for (int i = 0; i < n; i++)
        fputc(' ', f);
}

/* The nine cells of a unit's row, as text. */
typedef struct cells {
    char num[9][24];
    char score[SCORE_TEXT_MAX];
    char iv[INTERVAL_TEXT_MAX + 4];            /* "6.74~9.83", " *" added for few votes */
    char lo[SCORE_TEXT_MAX], hi[SCORE_TEXT_MAX]; /* its bounds */
    const char *few;                             /* "是", "否" or "" */
} cells;

static void row_cells(const urow *u, cells *c)
{
    for (int i = 0; i < RATING_COUNT; i++)
        fmt_count(u->counts[i], c->num[i]);
    fmt_count(u->s.votes, c->num[4]);
    fmt_count(u->flagged, c->num[5]);
    fmt_count(u->kiosk, c->num[6]);
    fmt_count(u->online, c->num[7]);
    fmt_count(u->excluded, c->num[8]);
    score_format(&u->s, c->score, sizeof c->score);
    score_interval iv;
    interval_of_score(&u->s, &iv);
    interval_format_bound(&iv, 0, c->lo, sizeof c->lo);
    interval_format_bound(&iv, 1, c->hi, sizeof c->hi);
    /* ASCII for the terminal: an en dash is one column or two, by terminal. */
    snprintf(c->iv, sizeof c->iv, "%s%s%s%s", c->lo, u->s.votes ? "~" : "", c->hi,
             interval_few_votes(&u->s) ? " *" : "");
    c->few = u->s.votes == 0 ? "" : interval_few_votes(&u->s) ? "是" : "否";
}

static const char *cell(const urow *u, const cells *c, int col)
{
    switch (col) {
    case 0: return u->code;
    case 1: return u->name;
    case 8: return c->score;
    case 9: return c->num[6];
    case 10: return c->num[7];
    case 11: return c->num[8];
    default: return c->num[col - 2];
    }
}

/* ---- table ---- */

enum { N_TABLE_COLUMNS = N_REPORT_COLUMNS + 1 };

static const char *table_column(int col)
{
    return col < N_REPORT_COLUMNS ? COLUMN_NAMES[col] : INTERVAL_TABLE_COLUMN;
}

static const char *table_cell(const urow *u, const cells *c, int col)
{
    return col < N_REPORT_COLUMNS ? cell(u, c, col) : c->iv;
}

static void write_table(FILE *f, const report *r)
{
    char period[160];
    period_zh(r, period, sizeof period);
    fprintf(f, "民主测评结果  %s  按终端当地日期计；疑似刷票%s%s\n\n", period,
            r->include_flagged ? "已计入" : "不计入",
            !r->channel ? "" : strcmp(r->channel, "kiosk") == 0 ? "；仅现场（终端）评价"
                                                                : "；仅网上评价");

    int width[N_TABLE_COLUMNS];
    for (int c = 0; c < N_TABLE_COLUMNS; c++)
        width[c] = text_width(table_column(c));
    for (size_t i = 0; i < r->n_units; i++) {
        cells cs;
        row_cells(&r->units[i], &cs);
        for (int c = 0; c < N_TABLE_COLUMNS; c++) {
            int w = text_width(table_cell(&r->units[i], &cs, c));
            if (w > width[c])
                width[c] = w;
        }
    }
    /* Text columns are left-aligned, numbers right-aligned; two spaces apart. */
    for (int c = 0; c < N_TABLE_COLUMNS; c++) {
        int gap = width[c] - text_width(table_column(c));
        if (c >= 2)
            pad(f, gap);
        fputs(table_column(c), f);
        if (c + 1 < N_TABLE_COLUMNS)
            pad(f, (c < 2 ? gap : 0) + 2);
    }
    fputc('\n', f);
    for (size_t i = 0; i < r->n_units; i++) {
        cells cs;
        row_cells(&r->units[i], &cs);
        for (int c = 0; c < N_TABLE_COLUMNS; c++) {
            const char *t = table_cell(&r->units[i], &cs, c);
            int gap = width[c] - text_width(t);
            if (c >= 2)
                pad(f, gap);
            fputs(t, f);
            if (c + 1 < N_TABLE_COLUMNS)
                pad(f, (c < 2 ? gap : 0) + 2);
        }
        fputc('\n', f);
    }
    if (r->n_units == 0)
        fputs("（单位名录为空：用 minping-office units import 导入单位名录）\n", f);

    fputs("\n得分 = (10×非常满意 + 8×基本满意 + 6×一般 + 0×不满意) ÷ 有效票数，"
          "四舍五入保留两位小数；无有效票的单位不计分。\n",
          f);
    fputs("95%区间：Chernoff–Hoeffding 相对熵区间（Hoeffding 1963），对任何票数与评价分布，"
          "该单位的真实平均得分至少有95%的把握落在此区间内；票越多，区间越窄。\n"
          "* 有效票少于30票：得分的偶然性大，请结合95%区间解读。\n",
          f);
    for (size_t i = 0; i < r->n_units; i++)
        if (r->units[i].excluded > 0) {
            fputs("已排除：经复核排除的票（申诉复核），保留在数据库中，不计入票数与得分；"
                  "理由见 minping-office votes log。\n",
                  f);
            break;
        }
    for (size_t i = 0; i < r->n_strays; i++)
        fprintf(f, "警告：单位代码 %s（%s）不在单位名录中，其 %" PRId64 " 票未列入上表。\n",
                r->strays[i].code, r->strays[i].name,
                r->strays[i].s.votes + (r->include_flagged ? 0 : r->strays[i].flagged));
    for (size_t i = 0; i < r->n_gaps; i++)
        fprintf(f, "警告：终端 %s 数据库 %.8s 缺少序号 %s（共 %" PRId64 " 票，可能在导出前被删除）。\n",
                r->gaps[i].kiosk, r->gaps[i].instance, r->gaps[i].ranges, r->gaps[i].missing);
    for (size_t i = 0; i < r->n_imports; i++)
        if (r->imports[i].i.absent_rows > 0)
            fprintf(f, "警告：导出文件 %s 缺少此前已导入的序号 %s（共 %" PRId64
                       " 票，可能在该次导出后于终端上被删除；已导入的票仍保留并计入）。\n",
                    r->imports[i].file, r->imports[i].absent, r->imports[i].i.absent_rows);
    for (size_t i = 0; i < r->n_clocks; i++) {
        const ledger_clock_warning *w = &r->clocks[i].w;
        char first[32], last[32];
        office_format_time(w->earliest_utc, first, sizeof first);
        office_format_time(w->latest_utc, last, sizeof last);
        fprintf(f, "警告：终端 %s 有 %" PRId64 " 票日期可疑（终端时钟可能有误，%s 至 %s；%s），"
                   "其中 %" PRId64 " 票按其日期落在本期间内。\n",
                w->kiosk_id, w->votes, first, last, w->seqs, w->in_window);
    }
}

/* ---- CSV ---- */

static void write_csv(FILE *f, const report *r)
{
    fputs("\xEF\xBB\xBF", f);
    for (int c = 0; c < N_REPORT_COLUMNS; c++) {
        office_csv_field(f, COLUMN_NAMES[c], 1);
        fputs(",", f);
    }
    for (int c = 0; c < N_INTERVAL_COLUMNS; c++) {
        office_csv_field(f, INTERVAL_COLUMNS[c], 1);
        fputs(c + 1 < N_INTERVAL_COLUMNS ? "," : "\r\n", f);
    }
    for (size_t i = 0; i < r->n_units; i++) {
        cells cs;
        row_cells(&r->units[i], &cs);
        for (int c = 0; c < N_REPORT_COLUMNS; c++) {
            office_csv_field(f, cell(&r->units[i], &cs, c), c < 2);
            fputs(",", f);
        }
        fprintf(f, "%s,%s,%s\r\n", cs.lo, cs.hi, cs.few);
    }
}

/* ---- HTML ---- */

/* Units by score, best first; units without votes last, each group by code. */
static int by_score(const void *a, const void *b)
{
    const urow *x = *(const urow *const *)a, *y = *(const urow *const *)b;
    int hx = x->s.votes > 0, hy = y->s.votes > 0;
    if (hx != hy)
        return hy - hx;
    if (hx && x->s.hundredths != y->s.hundredths)
        return x->s.hundredths < y->s.hundredths ? 1 : -1;
    return strcmp(x->code, y->code);
}

/* The working of a unit's score, on two lines, e.g.
 * "(10×3 + 8×2 + 6×1 + 0×0) ÷ 6" and "= 52 ÷ 6 = 8.6666…，四舍五入得 8.67". */
static void working(FILE *f, const urow *u)
{
    fputs("(", f);
    for (int i = 0; i < RATING_COUNT; i++)
        fprintf(f, "%s%d×%" PRId64, i ? " + " : "", RATINGS[i].points, u->counts[i]);
    char q[SCORE_TEXT_MAX], sc[SCORE_TEXT_MAX];
    score_format(&u->s, sc, sizeof sc);
    fprintf(f, ") ÷ %" PRId64 "<br><span class=\"cont\">= %" PRId64 " ÷ %" PRId64 " = ",
            u->s.votes, u->s.points, u->s.votes);
    if ((u->s.points * 100) % u->s.votes == 0) {
        fprintf(f, "<b>%s</b></span>", sc);
    } else {
        int exact3 = (u->s.points * 1000) % u->s.votes == 0;
        score_format_quotient(u->s.points, u->s.votes, exact3 ? 3 : 4, q, sizeof q);
        fprintf(f, "%s，四舍五入得 <b>%s</b></span>", q, sc);
    }
}

static const char *const BAR_CLASS[RATING_COUNT] = {"r10", "r8", "r6", "r0"};

/* The month-by-month score as an inline SVG bar chart (0 to 10 points),
 * the score written over each bar; a month without votes is left empty. */
static void month_chart(FILE *f, const urow *u)
{
    enum { W = 420, H = 96, TOP = 14, BASE = 78 };
    size_t n = u->n_months;
    if (n == 0)
        return;
    size_t first = n > 24 ? n - 24 : 0; /* the last 24 months at most */
    double slot = (double)W / (double)(n - first);
    fprintf(f, "<div class=\"trend\"><div class=\"tt\">月度得分（%.4s年%d月至%.4s年%d月",
            u->months[first].month, atoi(u->months[first].month + 5), u->months[n - 1].month,
            atoi(u->months[n - 1].month + 5));
    if (first > 0)
        fputs("，仅列最近24个月", f);
    fprintf(f, "）</div><svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
               "role=\"img\" aria-label=\"月度得分\">",
            W, H);
    fprintf(f, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", BASE, W, BASE);
    for (size_t i = first; i < n; i++) {
        score sc;
        double x = (double)(i - first) * slot;
        if (score_compute(u->months[i].counts, &sc, NULL) == 0 && sc.votes > 0) {
            double h = (double)(BASE - TOP) * (double)sc.hundredths / 1000.0;
            char t[SCORE_TEXT_MAX];
            score_format(&sc, t, sizeof t);
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"mbar\">"
                    "<title>%s：%s 分，%" PRId64 " 票</title></rect>"
                    "<text x=\"%.1f\" y=\"%.1f\" class=\"mv\">%s</text>",
                    x + slot * 0.15, BASE - h, slot * 0.7, h, u->months[i].month, t, sc.votes,
                    x + slot / 2, BASE - h - 3, t);
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"ml\">%d月</text>", x + slot / 2, H - 4,
                atoi(u->months[i].month + 5));
    }
    fputs("</svg></div>\n", f);
}

/* n bars of counts v with labels, as an inline SVG (the spread of 不满意). */
static void count_chart(FILE *f, const int64_t *v, int n, const char *const *labels,
                        int label_every)
{
    enum { W = 420, H = 70, TOP = 12, BASE = 54 };
    int64_t max = 0;
    for (int i = 0; i < n; i++)
        if (v[i] > max)
            max = v[i];
    double slot = (double)W / n;
    fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"100%%\">", W, H);
    fprintf(f, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", BASE, W, BASE);
    for (int i = 0; i < n; i++) {
        double x = i * slot;
        if (v[i] > 0) {
            double h = (double)(BASE - TOP) * (double)v[i] / (double)max;
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"dbar\">"
                    "<title>%s：%" PRId64 " 票</title></rect>"
                    "<text x=\"%.1f\" y=\"%.1f\" class=\"mv\">%" PRId64 "</text>",
                    x + slot * 0.12, BASE - h, slot * 0.76, h, labels[i], v[i], x + slot / 2,
                    BASE - h - 2, v[i]);
        }
        if (i % label_every == 0)
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"ml\">%s</text>", x + slot / 2, H - 3,
                    labels[i]);
    }
    fputs("</svg>", f);
}

static const char *const HOURS[24] = {"0时", "1时", "2时", "3时", "4时", "5时", "6时", "7时",
                                      "8时", "9时", "10时", "11时", "12时", "13时", "14时",
                                      "15时", "16时", "17时", "18时", "19时", "20时", "21时",
                                      "22时", "23时"};
static const char *const WEEKDAYS[7] = {"一", "二", "三", "四", "五", "六", "日"};

static void spread_charts(FILE *f, const urow *u)
{
    int64_t total = 0;
    for (int h = 0; h < 24; h++)
        total += u->dis_hour[h];
    fprintf(f, "<div class=\"trend\"><div class=\"tt\">不满意票的时间分布（共 %" PRId64
               " 票，按终端当地时间）</div>",
            total);
    if (total == 0) {
        fputs("<div class=\"none\">本期间无不满意票。</div></div>\n", f);
        return;
    }
    fputs("<div class=\"st\">按钟点</div>", f);
    count_chart(f, u->dis_hour, 24, HOURS, 3);
    fputs("<div class=\"st\">按星期</div>", f);
    const char *week[7];
    char buf[7][16];
    for (int d = 0; d < 7; d++) {
        snprintf(buf[d], sizeof buf[d], "星期%s", WEEKDAYS[d]);
        week[d] = buf[d];
    }
    count_chart(f, u->dis_weekday, 7, week, 1);
    fputs("</div>\n", f);
}

static void write_card(FILE *f, const report *r, const urow *u, int rank)
{
    fprintf(f, "<div class=\"card\" id=\"u-%zu\">\n<div class=\"card-head\"><div>",
            (size_t)(u - r->units));
    if (rank > 0)
        fprintf(f, "<span class=\"rank\">%d</span>", rank);
    fputs("<span class=\"uname\">", f);
    office_html(f, u->name);
    fputs("</span> <span class=\"ucode\">", f);
    office_html(f, u->code);
    if (*u->type) {
        fputs(" · ", f);
        office_html(f, u->type);
    }
    fputs("</span></div>", f);
    char sc[SCORE_TEXT_MAX];
    score_format(&u->s, sc, sizeof sc);
    if (u->s.votes > 0)
        fprintf(f, "<div class=\"uscore\">%s%s<small> 分</small></div>", sc,
                interval_few_votes(&u->s) ? "<sup class=\"few\">*</sup>" : "");
    else
        fputs("<div class=\"uscore none\">不计分</div>", f);
    fputs("</div>\n<div class=\"bars\">\n", f);
    for (int i = 0; i < RATING_COUNT; i++) {
        int64_t n = u->counts[i], v = u->s.votes;
        /* tenths of a percent, rounded half up */
        int64_t pm = v > 0 ? (n * 2000 + v) / (2 * v) : 0;
        fprintf(f,
                "<div class=\"bar\"><span class=\"lbl\">%s<small>%d分</small></span>"
                "<span class=\"track\"><span class=\"fill %s\" style=\"width:%" PRId64
                ".%" PRId64 "%%\"></span></span><span class=\"val\">%" PRId64
                " 票<small>%" PRId64 ".%" PRId64 "%%</small></span></div>\n",
                RATINGS[i].label, RATINGS[i].points, BAR_CLASS[i], pm / 10, pm % 10, n, pm / 10,
                pm % 10);
    }
    fputs("</div>\n<div class=\"calc\">", f);
    if (u->s.votes > 0) {
        fputs("计算：", f);
        working(f, u);
        score_interval iv;
        char ivt[INTERVAL_TEXT_MAX];
        interval_of_score(&u->s, &iv);
        interval_format(&iv, ivt, sizeof ivt);
        fprintf(f, "<br>95%%区间：<b class=\"iv\">%s</b>（%" PRId64 " 票，Chernoff–Hoeffding）",
                ivt, u->s.votes);
        if (interval_few_votes(&u->s))
            fprintf(f, "<br><span class=\"few\">* 有效票仅 %" PRId64
                       " 票，少于30票：得分的偶然性大，请结合95%%区间解读。</span>",
                    u->s.votes);
    } else {
        fputs("本期间无有效票，不计分。", f);
    }
    if (u->flagged > 0)
        fprintf(f, "<br><span class=\"flag\">疑似刷票 %" PRId64 " 票%s。</span>", u->flagged,
                r->include_flagged ? "，已计入上式" : "，未计入上式");
    fprintf(f, "<br>现场（终端）%" PRId64 " 票 · 网上 %" PRId64 " 票。", u->kiosk, u->online);
    if (u->excluded > 0) {
        fprintf(f, "<br><span class=\"flag\">复核排除 %" PRId64 " 票，未计入上式（", u->excluded);
        for (size_t k = 0; k < u->n_excls; k++)
            fprintf(f, "%s<a href=\"#x-%" PRId64 "\">记录 #%" PRId64 "</a> %" PRId64 " 票",
                    k ? "、" : "", u->excls[k].id, u->excls[k].id, u->excls[k].votes);
        fputs("）。</span>", f);
    }
    fputs("</div>\n", f);
    if (r->trends) {
        month_chart(f, u);
        spread_charts(f, u);
    }
    if (u->followups > 0) {
        fprintf(f, "<div class=\"fu\"><b>群众反映的问题</b>（跟进意见 %" PRId64 " 条）：",
                u->followups);
        for (size_t k = 0; k < u->n_reasons; k++) {
            if (k)
                fputs(" · ", f);
            office_html(f, u->reason[k]);
            fprintf(f, " %" PRId64, u->reason_n[k]);
        }
        if (u->other_reasons)
            fprintf(f, " · 其他原因 %" PRId64, u->other_reasons);
        if (u->n_comments) {
            fputs("<ul class=\"cmts\">", f);
            for (size_t k = 0; k < u->n_comments && k < REPORT_COMMENTS; k++) {
                fputs("<li>", f);
                office_html(f, u->comments[k]);
                fputs("</li>", f);
            }
            fputs("</ul>", f);
            if (u->n_comments > REPORT_COMMENTS)
                fprintf(f, "另有 %zu 条意见未列出。", u->n_comments - REPORT_COMMENTS);
        }
        fputs("<div class=\"todo\">请该单位逐条核实整改。</div></div>\n", f);
    }
    fputs("</div>\n", f);
}

static const char CSS[] =
    "@page{size:A4;margin:16mm 14mm}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:#eceae4;color:#1d1d1d;font:15px/1.75 \"Noto Serif CJK SC\","
    "\"Source Han Serif SC\",\"Songti SC\",\"SimSun\",serif;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    ".page{max-width:1000px;margin:28px auto;background:#fff;padding:44px 56px 36px;"
    "box-shadow:0 1px 6px rgba(0,0,0,.14)}"
    ".sans,h2,th,.card-head,.rank,.uscore,.lbl,.val,.tag{font-family:\"Noto Sans CJK SC\","
    "\"Source Han Sans SC\",\"PingFang SC\",\"Microsoft YaHei\",\"SimHei\",sans-serif}"
    "header.doc{text-align:center;padding-bottom:12px;border-bottom:3px solid #b8000b}"
    "header.doc+.rule{border-top:1px solid #b8000b;margin-top:3px}"
    ".org{color:#b8000b;font:bold 34px/1.3 \"Noto Serif CJK SC\",\"SimSun\",serif;"
    "letter-spacing:.32em;margin-right:-.32em}"
    ".sub{color:#555;font-size:14px;letter-spacing:.08em;margin-top:4px}"
    "h1{text-align:center;font-size:22px;margin:26px 0 4px;letter-spacing:.06em}"
    ".period{text-align:center;font-size:16px;margin:0}"
    ".meta{text-align:center;color:#666;font-size:13px;margin:6px 0 0}"
    "h2{font-size:18px;margin:34px 0 12px;padding:2px 0 2px 12px;border-left:5px solid #b8000b;"
    "color:#222}"
    "h3{font-size:15px;margin:18px 0 8px;color:#333}"
    ".formula{border:1px solid #d8c9a7;background:#fdf9ef;padding:14px 18px;text-align:center;"
    "font-size:18px;margin:6px 0 10px}"
    ".formula .eq{font-weight:bold;letter-spacing:.02em}"
    ".formula .pts{font-size:14px;color:#555;margin-top:6px}"
    ".note{font-size:14px;color:#444;margin:6px 0}"
    "table{width:100%;border-collapse:collapse;font-size:14px;margin:6px 0}"
    "th{background:#f4ecec;color:#5a0000;font-weight:bold;border:1px solid #c9b3b3;"
    "padding:6px 6px;white-space:nowrap}"
    "td{border:1px solid #d2cccc;padding:5px 8px}"
    "tbody tr:nth-child(even) td{background:#faf8f6}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "td.c{text-align:center;white-space:nowrap}"
    "td.s{text-align:right;font-weight:bold;color:#9a0008;font-size:15px}"
    "td.mono,.mono{font-family:\"DejaVu Sans Mono\",monospace;font-size:12.5px}"
    "table.src td{white-space:nowrap;font-size:13px}"
    /* The summary: fourteen columns within the page. */
    "table.sum{font-size:13px}"
    "table.sum th{padding:5px 3px}"
    "table.sum td{padding:4px 5px}table.sum td.nm{min-width:8.5em}table.sum td.s{font-size:14px}"
    "table.src td.mono{font-size:11.5px}"
    "td.blank{color:#999;text-align:center}"
    ".cards{display:grid;grid-template-columns:1fr 1fr;gap:14px}"
    ".card{border:1px solid #ddd6d0;border-top:3px solid #b8000b;padding:10px 14px 10px;"
    "break-inside:avoid;background:#fff}"
    ".card-head{display:flex;justify-content:space-between;align-items:baseline;gap:8px}"
    ".rank{display:inline-block;min-width:22px;height:22px;line-height:22px;text-align:center;"
    "background:#b8000b;color:#fff;border-radius:11px;font-size:12px;margin-right:6px;"
    "padding:0 5px}"
    ".uname{font-weight:bold;font-size:16px}"
    ".ucode{color:#777;font-size:12px}"
    ".uscore{font-size:24px;font-weight:bold;color:#9a0008;white-space:nowrap}"
    ".uscore small{font-size:13px;color:#777;font-weight:normal}"
    ".uscore.none{font-size:14px;color:#999;font-weight:normal}"
    ".bars{margin:6px 0 4px}"
    ".bar{display:grid;grid-template-columns:88px 1fr 104px;align-items:center;gap:8px;"
    "font-size:13px;height:24px}"
    ".lbl small{color:#888;margin-left:4px;font-size:11px}"
    ".track{background:#f0eeeb;height:13px;border-radius:2px;overflow:hidden;display:block}"
    ".fill{display:block;height:100%}"
    ".r10{background:#2e7d32}.r8{background:#7cb342}.r6{background:#f0a30a}.r0{background:#c62828}"
    ".val{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".val small{color:#888;margin-left:6px;display:inline-block;min-width:42px}"
    ".calc{font-size:13px;color:#333;border-top:1px dashed #ddd;padding-top:6px;margin-top:4px;"
    "line-height:1.65}"
    ".calc .cont{padding-left:3em;display:inline-block}"
    ".flag{color:#a35200}"
    ".few{color:#b45f00;font-weight:bold}sup.few{margin-left:2px}"
    "td.iv{font-variant-numeric:tabular-nums;color:#444}"
    ".fu{margin-top:8px;padding-top:6px;border-top:1px dashed #ddd6d0;font-size:13px}"
    ".cmts{margin:4px 0 0 18px;padding:0}.cmts li{margin:2px 0}.todo{color:#7a0008;margin-top:4px}"
    ".box{padding:9px 14px;margin:8px 0;font-size:14px;border-left:4px solid}"
    ".box.warn{background:#fff6e5;border-color:#d98e04}"
    ".box.ok{background:#eef6ee;border-color:#2e7d32}"
    ".tag{display:inline-block;font-size:12px;padding:0 6px;border-radius:3px;color:#fff;"
    "background:#d98e04;margin-right:6px}"
    ".trend{margin-top:8px;padding-top:6px;border-top:1px dashed #ddd6d0;font-size:13px}"
    ".trend .tt{font-weight:bold;color:#333}.trend .st{color:#666;font-size:12px;margin-top:2px}"
    ".trend .none{color:#888}"
    ".chart{display:block;max-width:420px;height:auto;font-family:\"Noto Sans CJK SC\",sans-serif}"
    ".chart .axis{stroke:#bbb;stroke-width:1}"
    ".chart .mbar{fill:#9a0008}.chart .dbar{fill:#c62828}"
    ".chart .mv{font-size:9px;fill:#333;text-anchor:middle}"
    ".chart .ml{font-size:9.5px;fill:#666;text-anchor:middle}"
    "a{color:#9a0008}"
    "footer{margin-top:34px;padding-top:10px;border-top:1px solid #ddd;color:#777;"
    "font-size:12px;text-align:center}"
    "@media print{body{background:#fff}.page{box-shadow:none;margin:0;max-width:none;"
    "padding:0}}";

static void write_html(FILE *f, const report *r)
{
    char period[160], when[32];
    period_zh(r, period, sizeof period);
    office_format_time(r->generated_utc, when, sizeof when);

    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          f);
    fprintf(f, "民主测评结果报告 · %s", period);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<div class=\"page\">\n", CSS);

    /* Title. */
    fputs("<header class=\"doc\"><div class=\"org\">民主测评结果报告</div>"
          "<div class=\"sub\">政府信息公开目标管理考核 · 第五项 民主测评（满分10分）</div>"
          "</header><div class=\"rule\"></div>\n",
          f);
    fputs("<h1>各单位公众满意度测评得分</h1>\n<p class=\"period\">统计期间：", f);
    office_html(f, period);
    fputs("</p>\n<p class=\"meta\">按投票终端当地日期计票 · 疑似刷票", f);
    fputs(r->include_flagged ? "已计入" : "不计入", f);
    if (r->channel)
        fputs(strcmp(r->channel, "kiosk") == 0 ? " · 仅现场（终端）评价" : " · 仅网上评价", f);
    fputs(" · 生成时间 ", f);
    office_html(f, when);
    fputs(" · 数据库 ", f);
    office_html(f, r->db_path);
    fputs("</p>\n", f);

    /* 1. The formula. */
    fputs("<h2>一、计分方法</h2>\n<div class=\"formula\"><div class=\"eq\">"
          "得分 = ( 10 × 非常满意 + 8 × 基本满意 + 6 × 一般 + 0 × 不满意 ) ÷ 有效票数</div>"
          "<div class=\"pts\">非常满意 10 分 · 基本满意 8 分 · 一般 6 分 · 不满意 0 分"
          "（考核细则第五项）</div></div>\n",
          f);
    fprintf(f,
            "<p class=\"note\">有效票数为四个等级票数之和；得分以整数精确计算，四舍五入保留两位"
            "小数（第三位为5时进位），满分10分，可由下表票数逐一手工复核。"
            "无有效票的单位不计分。疑似刷票（同一终端短时间内的连续投票）由终端标记并保留，"
            "%s。考核年度为1月1日至12月31日。</p>\n",
            r->include_flagged ? "本报告将其计入票数与得分" : "不计入票数与得分，单列于“疑似刷票”栏");

    /* 2. The table, by score. */
    const urow **order = malloc((r->n_units ? r->n_units : 1) * sizeof *order);
    if (!order) {
        fputs("</div></body></html>\n", f);
        return;
    }
    for (size_t i = 0; i < r->n_units; i++)
        order[i] = &r->units[i];
    qsort(order, r->n_units, sizeof *order, by_score);
    int *rank = calloc(r->n_units ? r->n_units : 1, sizeof *rank);
    for (size_t i = 0; rank && i < r->n_units; i++) {
        if (order[i]->s.votes == 0)
            rank[i] = 0;
        else if (i > 0 && order[i - 1]->s.votes > 0 &&
                 order[i - 1]->s.hundredths == order[i]->s.hundredths)
            rank[i] = rank[i - 1];
        else
            rank[i] = (int)i + 1;
    }

    fputs("<h2>二、测评结果汇总</h2>\n<table class=\"sum\">\n<thead><tr><th>名次</th>", f);
    for (int c = 0; c < N_REPORT_COLUMNS; c++)
        fprintf(f, "<th>%s</th>", COLUMN_NAMES[c]);
    fputs("<th>" INTERVAL_TABLE_COLUMN "</th></tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < r->n_units; i++) {
        const urow *u = order[i];
        cells cs;
        row_cells(u, &cs);
        fputs("<tr>", f);
        if (rank && rank[i] > 0)
            fprintf(f, "<td class=\"c\">%d</td>", rank[i]);
        else
            fputs("<td class=\"c\">—</td>", f);
        fputs("<td class=\"c mono\">", f);
        office_html(f, u->code);
        fputs("</td><td class=\"nm\">", f);
        office_html(f, u->name);
        fputs("</td>", f);
        for (int c = 2; c < 8; c++)
            fprintf(f, "<td class=\"n\">%s</td>", cs.num[c - 2]);
        if (u->s.votes > 0)
            fprintf(f, "<td class=\"s\">%s%s</td>", cs.score,
                    interval_few_votes(&u->s) ? "<sup class=\"few\">*</sup>" : "");
        else
            fputs("<td class=\"blank\"></td>", f);
        fprintf(f, "<td class=\"n\">%s</td><td class=\"n\">%s</td>", cs.num[6], cs.num[7]);
        if (u->excluded > 0)
            fprintf(f, "<td class=\"n\"><a href=\"#u-%zu\">%s</a></td>", (size_t)(u - r->units),
                    cs.num[8]);
        else
            fprintf(f, "<td class=\"n\">%s</td>", cs.num[8]);
        if (u->s.votes > 0)
            fprintf(f, "<td class=\"c iv\">%s–%s</td>", cs.lo, cs.hi);
        else
            fputs("<td class=\"blank\"></td>", f);
        fputs("</tr>\n", f);
    }
    if (r->n_units == 0)
        fprintf(f, "<tr><td colspan=\"%d\" class=\"blank\">单位名录为空</td></tr>\n",
                N_REPORT_COLUMNS + 2);
    fputs("</tbody>\n</table>\n", f);
    fputs("<p class=\"note\">95%区间：该单位真实平均得分（全部服务对象都参评时的得分）至少有"
          "95%的把握落在此区间内，按 Chernoff–Hoeffding 相对熵区间（Hoeffding 1963）由四个等级的"
          "票数计算，对任何票数与评价分布都成立；票越多，区间越窄。"
          "<span class=\"few\">*</span> 有效票少于30票：得分的偶然性大，请结合95%区间解读，"
          "不宜仅凭名次比较。</p>\n",
          f);

    /* 3. Checks, before the details: what to verify before trusting the numbers. */
    fputs("<h2>三、数据核查</h2>\n<h3>（一）票号连续性</h3>\n", f);
    if (r->n_gaps == 0) {
        fputs("<div class=\"box ok\">已导入的各终端数据库票号连续，未发现缺号。</div>\n", f);
    } else {
        fputs("<div class=\"box warn\"><span class=\"tag\">警告</span>以下终端数据库的票号不连续："
              "缺少的票从未导入，可能在导出前于终端上被删除。请核实。</div>\n"
              "<table><thead><tr><th>终端</th><th>数据库实例</th><th>缺少的序号</th>"
              "<th>缺少票数</th></tr></thead><tbody>\n",
              f);
        for (size_t i = 0; i < r->n_gaps; i++) {
            fputs("<tr><td>", f);
            office_html(f, r->gaps[i].kiosk);
            fputs("</td><td class=\"mono\">", f);
            office_html(f, r->gaps[i].instance);
            fputs("</td><td>", f);
            office_html(f, r->gaps[i].ranges);
            fprintf(f, "</td><td class=\"n\">%" PRId64 "</td></tr>\n", r->gaps[i].missing);
        }
        fputs("</tbody></table>\n", f);
    }
    size_t n_absent = 0;
    for (size_t i = 0; i < r->n_imports; i++)
        n_absent += r->imports[i].i.absent_rows > 0;
    fputs("<h3>（二）已导入票在后续导出中的留存</h3>\n", f);
    if (n_absent == 0) {
        fputs("<div class=\"box ok\">各终端后续导出均包含此前已导入的全部票。</div>\n", f);
    } else {
        fputs("<div class=\"box warn\"><span class=\"tag\">警告</span>以下导出文件缺少此前"
              "已导入的票，这些票可能在前一次导出之后于终端上被删除。已导入的票仍保留并计入。"
              "</div>\n<table><thead><tr><th>文件</th><th>终端</th><th>数据库实例</th>"
              "<th>缺少的序号</th><th>票数</th></tr></thead><tbody>\n",
              f);
        for (size_t i = 0; i < r->n_imports; i++) {
            const ledger_import_info *im = &r->imports[i].i;
            if (im->absent_rows <= 0)
                continue;
            fputs("<tr><td class=\"mono\">", f);
            office_html(f, im->file_name);
            fputs("</td><td>", f);
            office_html(f, im->kiosk_id);
            fputs("</td><td class=\"mono\">", f);
            office_html(f, im->instance);
            fputs("</td><td>", f);
            office_html(f, im->absent_seqs);
            fprintf(f, "</td><td class=\"n\">%" PRId64 "</td></tr>\n", im->absent_rows);
        }
        fputs("</tbody></table>\n", f);
    }
    fputs("<h3>（三）终端时钟</h3>\n", f);
    if (r->n_clocks == 0) {
        fputs("<div class=\"box ok\">未发现日期可疑的投票。</div>\n", f);
    } else {
        fputs("<div class=\"box warn\"><span class=\"tag\">警告</span>以下终端有投票日期早于终端"
              "首次配置、晚于导出时间或晚于导入时间，终端时钟可能有误（无时钟电池的终端开机时为"
              "1970年）。这些票已导入，并按其所记日期计入统计期间；请核实后决定。</div>\n"
              "<table><thead><tr><th>终端</th><th>可疑票数</th><th>早于配置</th><th>晚于导出</th>"
              "<th>晚于导入</th><th>所记日期</th><th>计入本期间</th><th>数据库: 序号</th></tr></thead>"
              "<tbody>\n",
              f);
        for (size_t i = 0; i < r->n_clocks; i++) {
            const ledger_clock_warning *w = &r->clocks[i].w;
            char first[32], last[32];
            office_format_time(w->earliest_utc, first, sizeof first);
            office_format_time(w->latest_utc, last, sizeof last);
            fputs("<tr><td>", f);
            office_html(f, w->kiosk_id);
            fprintf(f,
                    "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
                    "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
                    "</td><td>%s 至<br>%s</td><td class=\"n\">%" PRId64 "</td><td>",
                    w->votes, w->before_provisioned, w->after_export, w->future, first, last,
                    w->in_window);
            office_html(f, w->seqs);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    }
    if (r->n_strays > 0) {
        fputs("<h3>（四）未登记单位</h3>\n<div class=\"box warn\"><span class=\"tag\">警告</span>"
              "以下单位代码有投票，但不在单位名录中，未列入上表。请用 "
              "<span class=\"mono\">minping-office units import</span> 登记后重新生成报告。"
              "</div>\n<table><thead><tr><th>单位代码</th><th>终端显示的名称</th><th>票数</th>"
              "<th>疑似刷票</th></tr></thead><tbody>\n",
              f);
        for (size_t i = 0; i < r->n_strays; i++) {
            fputs("<tr><td class=\"mono\">", f);
            office_html(f, r->strays[i].code);
            fputs("</td><td>", f);
            office_html(f, r->strays[i].name);
            fprintf(f, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
                       "</td></tr>\n",
                    r->strays[i].s.votes, r->strays[i].flagged);
        }
        fputs("</tbody></table>\n", f);
    }

    fprintf(f, "<h3>（%s）复核排除记录</h3>\n", r->n_strays > 0 ? "五" : "四");
    if (r->n_reviews == 0) {
        fputs("<div class=\"box ok\">没有经复核排除的投票。</div>\n", f);
    } else {
        fputs("<p class=\"note\">经复核（申诉复核）排除的投票保留在数据库中，不计入票数与得分；"
              "恢复后重新计入。每条记录不可更改或删除（minping-office votes log）。"
              "一票以涵盖它的最近一条记录为准。</p>\n"
              "<table><thead><tr><th>记录</th><th>时间</th><th>操作</th><th>终端</th>"
              "<th>数据库实例</th><th>序号</th><th>涉及票数</th><th>改变票数</th><th>操作人</th>"
              "<th>理由</th></tr></thead><tbody>\n",
              f);
        for (size_t i = 0; i < r->n_reviews; i++) {
            const review_record *x = &r->reviews[i].r;
            char at[32], seqs[64];
            office_format_time(x->at_utc, at, sizeof at);
            if (x->seq_from <= 1 && x->seq_to == REVIEW_SEQ_ALL)
                snprintf(seqs, sizeof seqs, "全部");
            else if (x->seq_from == x->seq_to)
                snprintf(seqs, sizeof seqs, "%" PRId64, x->seq_from);
            else
                snprintf(seqs, sizeof seqs, "%" PRId64 "-%" PRId64, x->seq_from, x->seq_to);
            fprintf(f, "<tr id=\"x-%" PRId64 "\"><td class=\"c\">#%" PRId64
                       "</td><td class=\"c\">%s</td><td class=\"c\">%s</td><td>",
                    x->id, x->id, at, x->exclude ? "排除" : "恢复");
            office_html(f, x->kiosk_id);
            fprintf(f, "</td><td class=\"mono\">%.8s</td><td>%s%s</td><td class=\"n\">%" PRId64
                       "</td><td class=\"n\">%" PRId64 "</td><td>",
                    x->instance, seqs, x->flagged_only ? "（仅疑似刷票）" : "", x->votes,
                    x->changed);
            office_html(f, x->by);
            fputs("</td><td>", f);
            office_html(f, x->reason);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    }

    /* 4. Per unit: chart and working. */
    fputs("<h2>四、各单位评价分布与得分计算</h2>\n<div class=\"cards\">\n", f);
    for (size_t i = 0; i < r->n_units; i++)
        write_card(f, r, order[i], rank ? rank[i] : 0);
    fputs("</div>\n", f);
    free(rank);
    free(order);

    /* 5. Sources. */
    fputs("<h2>五、数据来源（导入记录）</h2>\n", f);
    if (r->n_imports == 0) {
        fputs("<div class=\"box warn\">尚未导入任何终端数据。</div>\n", f);
    } else {
        fputs("<p class=\"note\">每个文件的签名均已用该终端配置时登记的公钥验证。"
              "导出时间为终端时钟。同一票在多个累计导出文件中只计一次。</p>\n"
              "<table class=\"src\"><thead><tr><th>#</th><th>文件</th><th>终端</th><th>数据库实例</th>"
              "<th>导出时间</th><th>票数</th><th>新增</th><th>导入时间</th></tr></thead>"
              "<tbody>\n",
              f);
        for (size_t i = 0; i < r->n_imports; i++) {
            const ledger_import_info *im = &r->imports[i].i;
            char exp[32], imp[32];
            office_format_time(im->exported_utc, exp, sizeof exp);
            office_format_time(im->imported_utc, imp, sizeof imp);
            fprintf(f, "<tr><td class=\"c\">%" PRId64 "</td><td class=\"mono\">", im->id);
            office_html(f, im->file_name);
            fputs("</td><td>", f);
            office_html(f, im->kiosk_id);
            fputs("</td><td class=\"mono\">", f);
            fprintf(f, "%.8s…", im->instance);
            fprintf(f,
                    "</td><td class=\"c\">%s</td><td class=\"n\">%" PRId64
                    "</td><td class=\"n\">%" PRId64 "</td><td class=\"c\">%s</td></tr>\n",
                    exp, im->rows, im->new_rows, imp);
        }
        fputs("</tbody></table>\n", f);
    }
    fputs("<footer>本报告由 Minping 民评 生成 · 各单位得分均可按第一节公式由第二节票数手工复核"
          "</footer>\n</div>\n</body>\n</html>\n",
          f);
}

/* ---- the command ---- */

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] report [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
          "         [--year YYYY] [--include-flagged] [--channel kiosk|online|all]\n"
          "         [--format table|csv|html] [--out FILE]\n"
          "\n"
          "Each registered unit's 民主测评 result: one row per unit (units without votes\n"
          "too, their score left blank), with the columns\n"
          "  单位代码, 单位名称, 非常满意, 基本满意, 一般, 不满意, 有效票数, 疑似刷票, 民主测评得分,\n"
          "  现场票数, 网上票数, 已排除\n"
          "and, in the CSV file, then 95%区间下限, 95%区间上限, 有效票少于30.\n"
          "\n"
          "  score = (10×非常满意 + 8×基本满意 + 6×一般 + 0×不满意) / 有效票数\n"
          "\n"
          "rounded half up to two decimals, computed exactly.  Votes flagged as suspected\n"
          "ballot stuffing are left out of the counts and the score (疑似刷票 shows them),\n"
          "and so are votes excluded on review (已排除; minping-office votes log says why).\n"
          "Each score has a 95% interval for the unit's true mean (the Chernoff-Hoeffding\n"
          "relative-entropy interval: valid for any number of votes), and a score on\n"
          "fewer than 30 valid votes is marked with * (是 in 有效票少于30).\n"
          "\n"
          "Options:\n"
          "  --from DATE        count votes from this date on (inclusive)\n"
          "  --to DATE          count votes up to this date (inclusive)\n"
          "  --year YYYY        the assessment year: 1 January to 31 December\n"
          "                     Dates are the kiosk's local dates.  Default: all votes.\n"
          "  --include-flagged  count flagged votes too\n"
          "  --channel CHANNEL  kiosk (votes cast at the kiosks), online (minping-survey\n"
          "                     and 问卷星 imports)\n"
          "                     or all (default); 现场票数 and 网上票数 split 有效票数\n"
          "  --format FORMAT    table (default: aligned for a terminal), csv (UTF-8 with\n"
          "                     a byte-order mark, CRLF: opens in Excel), or html (one\n"
          "                     self-contained page: formula, each unit's working and\n"
          "                     chart, warnings, the files imported)\n"
          "  --out FILE         write to FILE (replaced atomically) instead of standard\n"
          "                     output\n"
          "  -h, --help         show this help\n"
          "\n"
          "The office database must exist (minping-office provision creates it).\n"
          "\n"
          "Exit status: 0 written; 1 an error (the office database missing or unusable,\n"
          "the output not writable: nothing written); 2 a mistake in the command line\n"
          "(an unknown option, a malformed date or year, an unknown format).\n"),
          f);
}

enum { OPT_FROM = 256, OPT_TO, OPT_YEAR, OPT_FLAGGED, OPT_FORMAT, OPT_OUT, OPT_CHANNEL };

int office_report(const office_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, OPT_FROM},
        {"to", required_argument, NULL, OPT_TO},
        {"year", required_argument, NULL, OPT_YEAR},
        {"include-flagged", no_argument, NULL, OPT_FLAGGED},
        {"channel", required_argument, NULL, OPT_CHANNEL},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"out", required_argument, NULL, OPT_OUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    report r;
    memset(&r, 0, sizeof r);
    enum format fmt = FMT_TABLE;
    const char *out = NULL, *year = NULL;
    char year_from[16], year_to[16];
    mp_err err;

    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_FROM: r.from = optarg; break;
        case OPT_TO: r.to = optarg; break;
        case OPT_YEAR: year = optarg; break;
        case OPT_FLAGGED: r.include_flagged = 1; break;
        case OPT_CHANNEL:
            if (strcmp(optarg, "kiosk") == 0 || strcmp(optarg, "online") == 0)
                r.channel = optarg;
            else if (strcmp(optarg, "all") == 0)
                r.channel = NULL;
            else
                return office_usage(CMD, "--channel \"%s\": say kiosk, online or all", optarg);
            break;
        case OPT_OUT:
            if (!*optarg)
                return office_usage(CMD, "--out needs a file name");
            out = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "table") == 0)
                fmt = FMT_TABLE;
            else if (strcmp(optarg, "csv") == 0)
                fmt = FMT_CSV;
            else if (strcmp(optarg, "html") == 0)
                fmt = FMT_HTML;
            else
                return office_usage(CMD, "--format \"%s\": say table, csv or html", optarg);
            break;
        case 'h':
            print_help(stdout);
            return OFFICE_EXIT_OK;
        default:
            return office_option_error(CMD, c, argv);
        }
    }
    if (optind < argc)
        return office_usage(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (year) {
        if (r.from || r.to)
            return office_usage(CMD, "--year cannot be combined with --from or --to");
        snprintf(year_from, sizeof year_from, "%.8s-01-01", year);
        snprintf(year_to, sizeof year_to, "%.8s-12-31", year);
        if (strlen(year) != 4 || ledger_check_date(year_from, &err) < 0)
            return office_usage(CMD, "--year \"%s\" is not a year like 2026", year);
        r.year = atoi(year);
        r.from = year_from;
        r.to = year_to;
    }
    if (r.from && ledger_check_date(r.from, &err) < 0)
        return office_usage(CMD, "--from: %s", err.msg);
    if (r.to && ledger_check_date(r.to, &err) < 0)
        return office_usage(CMD, "--to: %s", err.msg);
    if (r.from && r.to && strcmp(r.from, r.to) > 0)
        return office_usage(CMD, "--from %s is after --to %s", r.from, r.to);

    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0)
        return office_fail("%s", err.msg);
    r.db_path = ctx->db_path;
    r.generated_utc = clock_utc_now();
    r.trends = fmt == FMT_HTML;
    int rc = gather(registry_sqlite(reg), &r, &err);
    registry_close(reg);
    if (rc < 0) {
        report_free(&r);
        return office_fail("%s", err.msg);
    }

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        report_free(&r);
        return office_fail("out of memory");
    }
    switch (fmt) {
    case FMT_TABLE: write_table(f, &r); break;
    case FMT_CSV: write_csv(f, &r); break;
    case FMT_HTML: write_html(f, &r); break;
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(text);
        report_free(&r);
        return office_fail("out of memory while writing the report");
    }
    report_free(&r);

    int status = OFFICE_EXIT_OK;
    if (out) {
        if (fs_write_atomic(out, text, len, 0644, &err) < 0)
            status = office_fail("%s", err.msg);
    } else if (fwrite(text, 1, len, stdout) != len) {
        status = office_fail("cannot write to standard output: %s", strerror(errno));
    }
    free(text);
    return status;
}
