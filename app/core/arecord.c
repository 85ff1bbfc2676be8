/* arecord.c - year-round assessment records (see arecord.h). */
#include "arecord.h"

#include "csvrows.h"
#include "i18n.h"
#include "utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int db_fail(sqlite3 *db, mp_err *err)
{
    return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
}

static const char *text_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

int arecord_check_date(const char *d, mp_err *err)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return mp_fail(err, "\"%s\" is not a date like 2026-01-31", d);
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
            return mp_fail(err, "\"%s\" is not a date like 2026-01-31", d);
    int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
    if (y < 1970)
        return mp_fail(err, "%s: the year is before 1970", d);
    if (m < 1 || m > 12)
        return mp_fail(err, "%s: there is no month %d", d, m);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (day < 1 || day > days[m - 1] + (m == 2 && leap))
        return mp_fail(err, "%s: month %d has no day %d", d, m, day);
    return 0;
}

/* A free text field: printable UTF-8 of at most max characters; required
 * when `required`. */
static int check_text(const char *what, const char *s, long max, int required, mp_err *err)
{
    what = _(what);
    if (!s || !*s)
        return required ? mp_fail(err, "%s is empty: say why (it stays in the record)", what)
                        : 0;
    long n = utf8_count_printable(s);
    if (n < 0)
        return mp_fail(err, "%s is not UTF-8 text without control characters", what);
    if (n > max)
        return mp_fail(err, "%s is longer than %ld characters", what, max);
    if (strchr("=+-@", s[0]))
        return mp_fail(err, "%s starts with %c, which a spreadsheet would run as a formula",
                       what, s[0]);
    return 0;
}

static int unit_registered(sqlite3 *db, const char *code, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM units WHERE code = ?1", -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return db_fail(db, err);
    return mp_fail(err, "unknown unit %s: register it with minping-office units import", code);
}

int arecord_check(sqlite3 *db, const rubric *r, arecord_input *in, mp_err *err)
{
    char y[8];
    snprintf(y, sizeof y, "%d", in->year);
    in->field = ARECORD_F_DATE;
    if (!in->date)
        return mp_fail(err, "no date given");
    if (arecord_check_date(in->date, err) < 0)
        return -1;
    if (strncmp(in->date, y, 4) != 0)
        return in->field = ARECORD_F_DATE, mp_fail(err, "the date %s is outside the assessment year %d (1 January to 31 "
                            "December)",
                       in->date, in->year);
    if (!in->unit || !*in->unit)
        return in->field = ARECORD_F_UNIT, mp_fail(err, "no unit given");
    in->field = ARECORD_F_UNIT;
    if (unit_registered(db, in->unit, err) < 0)
        return -1;
    if (!in->item || !*in->item)
        return in->field = ARECORD_F_ITEM, mp_fail(err, "no item given");
    const rubric_item *it = rubric_find(r, in->item);
    if (!it)
        return in->field = ARECORD_F_ITEM, mp_fail(err, "unknown item %s: the %d rubric has 一.1.1 … 四.5.1, 二.4, 加分 "
                            "(minping-office rubric show --year %d lists them)",
                       in->item, in->year, in->year);
    if (!in->kind)
        return in->field = ARECORD_F_KIND, mp_fail(err, "no kind given (score, deduct, count or bonus)");
    if (strcmp(in->kind, "score") && strcmp(in->kind, "deduct") && strcmp(in->kind, "count") &&
        strcmp(in->kind, "bonus"))
        return in->field = ARECORD_F_KIND, mp_fail(err, "kind \"%s\": say score, deduct, count or bonus", in->kind);
    if (!rubric_takes(it, in->kind)) {
        if (it->kind == RUBRIC_VOTES)
            return in->field = ARECORD_F_ITEM, mp_fail(err, "item %s is computed from the votes: it takes no records", it->id);
        if (it->kind == RUBRIC_CATEGORY || it->kind == RUBRIC_GROUP)
            return in->field = ARECORD_F_ITEM, mp_fail(err, "item %s is made of sub-items: record against one of them "
                                "(%s.1 …)",
                           it->id, it->id);
        return in->field = ARECORD_F_KIND, mp_fail(err, "item %s takes records of kind %s, not %s", it->id,
                       rubric_kind_name(it->kind), in->kind);
    }
    char max[32];
    rubric_fmt(it->points, max, sizeof max);
    if (strcmp(in->kind, "score") == 0) {
        if (in->points < 0)
            return in->field = ARECORD_F_POINTS, mp_fail(err, "a score needs --points (0 to %s for %s)", max, it->id);
        if (in->points > it->points)
            return in->field = ARECORD_F_POINTS, mp_fail(err, "%s is worth at most %s points", it->id, max);
        if (in->count >= 0)
            return in->field = ARECORD_F_COUNT, mp_fail(err, "a score takes no count");
    } else if (strcmp(in->kind, "count") == 0) {
        if (in->count < 0)
            return in->field = ARECORD_F_COUNT, mp_fail(err, "a count needs --count (how many %s)",
                           *it->unit ? it->unit : "items");
        if (in->points >= 0)
            return in->field = ARECORD_F_POINTS, mp_fail(err, "a count takes no points: its points follow from the target");
    } else if (strcmp(in->kind, "deduct") == 0) {
        if (in->count == 0)
            return in->field = ARECORD_F_COUNT, mp_fail(err, "a deduction counts at least 1 event");
        if (in->count > 1000)
            return in->field = ARECORD_F_COUNT, mp_fail(err, "more than 1000 events in one deduction");
        if (in->count < 0)
            in->count = 1;
        if (in->points < 0)
            in->points = it->per_event * in->count;
        if (in->points == 0)
            return in->field = ARECORD_F_POINTS, mp_fail(err, "a deduction of 0 points deducts nothing");
    } else {
        if (in->points <= 0)
            return in->field = ARECORD_F_POINTS, mp_fail(err, "a bonus needs --points above 0");
        if (in->count >= 0)
            return in->field = ARECORD_F_COUNT, mp_fail(err, "a bonus takes no count");
    }
    if (in->points > 100000)
        return in->field = ARECORD_F_POINTS, mp_fail(err, "more than 1000 points in one record");
    if (in->matter && *in->matter) {
        if (strcmp(in->kind, "deduct") != 0)
            return in->field = ARECORD_F_MATTER, mp_fail(err, "--matter is for deductions (从重: one matter is deducted once)");
        in->field = ARECORD_F_MATTER;
        if (check_text(N_("the matter id"), in->matter, ARECORD_MATTER_MAX, 0, err) < 0)
            return -1;
    }
    in->field = ARECORD_F_REASON;
    if (check_text(N_("the reason"), in->reason, ARECORD_REASON_MAX, 1, err) < 0)
        return -1;
    in->field = ARECORD_F_EVIDENCE;
    if (check_text(N_("the evidence"), in->evidence, ARECORD_EVIDENCE_MAX, 0, err) < 0)
        return -1;
    if (!in->by || !*in->by)
        return in->field = ARECORD_F_BY, mp_fail(err, "who enters the record is unknown: give --by NAME");
    in->field = ARECORD_F_BY;
    if (check_text(N_("the name of who enters it"), in->by, ARECORD_BY_MAX, 1, err) < 0)
        return -1;
    in->field = -1;
    return 0;
}

static void bind_num(sqlite3_stmt *st, int i, int64_t v)
{
    if (v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

/* Inserts a checked record (inside the caller's transaction, if any). */
static int insert(sqlite3 *db, const arecord_input *in, const char *source, const char *how,
                  int64_t corrects, int64_t now_utc, int64_t *id, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO assess_records(date, unit_code, item, kind, points, count,"
                           " matter, reason, evidence, entered_by, entered_utc, source, correction,"
                           " corrects) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                           " ?13, ?14)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    sqlite3_bind_text(st, 1, in->date, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, in->unit, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, in->item, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, in->kind, -1, SQLITE_STATIC);
    bind_num(st, 5, in->points);
    bind_num(st, 6, in->count);
    sqlite3_bind_text(st, 7, in->matter ? in->matter : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, in->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, in->evidence ? in->evidence : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, in->by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, now_utc);
    sqlite3_bind_text(st, 12, source ? source : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, how ? how : "", -1, SQLITE_STATIC);
    if (corrects > 0)
        sqlite3_bind_int64(st, 14, corrects);
    else
        sqlite3_bind_null(st, 14);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err);
    *id = sqlite3_last_insert_rowid(db);
    return 0;
}

int arecord_add(sqlite3 *db, const rubric *r, arecord_input *in, int64_t now_utc, int64_t *id,
                mp_err *err)
{
    if (arecord_check(db, r, in, err) < 0)
        return -1;
    return insert(db, in, NULL, NULL, 0, now_utc, id, err);
}

int arecord_year_of(sqlite3 *db, int64_t id, int *year, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT date FROM assess_records WHERE id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return db_fail(db, err);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *year = atoi(text_col(st, 0));
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return db_fail(db, err);
    return mp_fail(err, "there is no record %" PRId64 " (minping-office record list shows them)",
                   id);
}

int arecord_correct(sqlite3 *db, const rubric *r, int64_t target, const char *how,
                    arecord_input *in, int64_t now_utc, int64_t *id, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT date, unit_code, item, kind, points, count, matter, evidence,"
                           " correction, (SELECT c.id FROM assess_records c WHERE c.corrects = r.id)"
                           " FROM assess_records r WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    sqlite3_bind_int64(st, 1, target);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return db_fail(db, err);
        return mp_fail(err, "there is no record %" PRId64 " (minping-office record list shows "
                            "them)",
                       target);
    }
    char date[16], unit[64], item[RUBRIC_ID_MAX], kind[16], matter[256], evidence[1024];
    snprintf(date, sizeof date, "%s", text_col(st, 0));
    snprintf(unit, sizeof unit, "%s", text_col(st, 1));
    snprintf(item, sizeof item, "%s", text_col(st, 2));
    snprintf(kind, sizeof kind, "%s", text_col(st, 3));
    int64_t points = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
    int64_t count = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5);
    snprintf(matter, sizeof matter, "%s", text_col(st, 6));
    snprintf(evidence, sizeof evidence, "%s", text_col(st, 7));
    int is_reversal = strcmp(text_col(st, 8), "reverse") == 0;
    int64_t corrected_by = sqlite3_column_type(st, 9) == SQLITE_NULL ? 0
                                                                     : sqlite3_column_int64(st, 9);
    sqlite3_finalize(st);
    if (is_reversal)
        return mp_fail(err, "record %" PRId64 " is a reversal: to undo it, add the record again",
                       target);
    if (corrected_by)
        return mp_fail(err, "record %" PRId64 " was already corrected by record %" PRId64
                            ": correct that one",
                       target, corrected_by);
    in->year = atoi(date);
    in->unit = unit;
    in->item = item;
    in->kind = kind;
    if (!in->date || !*in->date)
        in->date = date;
    if (!in->evidence || !*in->evidence)
        in->evidence = evidence;
    if (strcmp(how, "reverse") == 0) {
        /* A reversal carries no amounts: it withdraws the record. */
        if (check_text(N_("the reason"), in->reason, ARECORD_REASON_MAX, 1, err) < 0 ||
            check_text(N_("the evidence"), in->evidence, ARECORD_EVIDENCE_MAX, 0, err) < 0)
            return -1;
        if (!in->by || !*in->by)
            return mp_fail(err, "who enters the record is unknown: give --by NAME");
        if (arecord_check_date(in->date, err) < 0)
            return -1;
        in->points = in->count = -1;
        in->matter = matter;
        return insert(db, in, NULL, "reverse", target, now_utc, id, err);
    }
    if (in->points < 0 && in->count < 0) {
        in->points = points;
        in->count = count;
    }
    if (!in->matter)
        in->matter = matter;
    if (arecord_check(db, r, in, err) < 0)
        return -1;
    return insert(db, in, NULL, "replace", target, now_utc, id, err);
}

int arecord_each(sqlite3 *db, const char *unit, int year, arecord_fn fn, void *user,
                 mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT r.id, r.date, r.unit_code, r.item, r.kind, r.points, r.count,"
                           " r.matter, r.reason, r.evidence, r.entered_by, r.source,"
                           " r.entered_utc, r.correction, coalesce(r.corrects, 0),"
                           " coalesce(c.id, 0), coalesce(c.correction, '')"
                           " FROM assess_records r LEFT JOIN assess_records c ON c.corrects = r.id"
                           " WHERE (?1 IS NULL OR r.unit_code = ?1)"
                           " AND r.date >= ?2 AND r.date <= ?3 ORDER BY r.date, r.id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    char from[16], to[16];
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    if (unit)
        sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        arecord a = {
            .id = sqlite3_column_int64(st, 0),
            .date = text_col(st, 1),
            .unit = text_col(st, 2),
            .item = text_col(st, 3),
            .kind = text_col(st, 4),
            .points = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5),
            .count = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6),
            .matter = text_col(st, 7),
            .reason = text_col(st, 8),
            .evidence = text_col(st, 9),
            .by = text_col(st, 10),
            .source = text_col(st, 11),
            .entered_utc = sqlite3_column_int64(st, 12),
            .correction = text_col(st, 13),
            .corrects = sqlite3_column_int64(st, 14),
            .corrected_by = sqlite3_column_int64(st, 15),
            .corrected_how = text_col(st, 16),
        };
        if (fn(user, &a) != 0) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err);
    return 0;
}

/* ---- the CSV template and its import ---- */

/* The columns, in the template's order. */
enum { C_DATE, C_UNIT, C_ITEM, C_KIND, C_POINTS, C_COUNT, C_MATTER, C_REASON, C_EVIDENCE, C_BY,
       N_COLS };
static const char *const COLS[N_COLS] = {"日期", "单位代码", "项目", "类别", "分值",
                                         "数量", "事项编号", "理由", "依据", "录入人"};
_Static_assert((int)C_BY == (int)ARECORD_F_BY && (int)C_DATE == (int)ARECORD_F_DATE,
               "columns in the order of ARECORD_F_*");
static const int REQUIRED[N_COLS] = {1, 1, 1, 1, 0, 0, 0, 1, 0, 0};

/* The kinds, in English and as the template's Chinese. */
static const char *const KINDS[][2] = {
    {"score", "评分"}, {"deduct", "扣分"}, {"count", "计数"}, {"bonus", "加分"}};

int arecord_template(const rubric *r, char **out, size_t *len, mp_err *err)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return mp_fail(err, "out of memory");
    fputs("\xEF\xBB\xBF", f);
    for (int c = 0; c < N_COLS; c++)
        fprintf(f, "%s%s", COLS[c], c + 1 < N_COLS ? "," : "\r\n");
    fprintf(f, "\"# %d年度平时记录。每行一条记录；以 # 开头的行不导入。日期：%d-01-01 至 %d-12-31。"
               "类别：评分（分值 0 至该项分值）、扣分（分值或数量：每次扣分 × 次数）、计数（数量）、"
               "加分（分值，100分之外）。同一事项多处扣分时填同一事项编号（从重）。\"\r\n",
            rubric_year(r), rubric_year(r), rubric_year(r));
    fprintf(f, "# 示例：%d-03-05,GA01,二.4,扣分,,1,TS-%d-007,群众投诉属实,山政电〔%d〕3号,\r\n",
            rubric_year(r), rubric_year(r), rubric_year(r));
    for (size_t i = 0; i < rubric_count(r); i++) {
        const rubric_item *it = rubric_at(r, i);
        if (it->kind == RUBRIC_CATEGORY || it->kind == RUBRIC_GROUP || it->kind == RUBRIC_VOTES)
            continue;
        char pts[32], ev[32];
        rubric_fmt(it->points, pts, sizeof pts);
        rubric_fmt(it->per_event, ev, sizeof ev);
        fprintf(f, "\"# %s %s", it->id, rubric_kind_zh(it->kind));
        if (it->kind == RUBRIC_SCORE)
            fprintf(f, " 0–%s分", pts);
        else if (it->kind == RUBRIC_DEDUCT)
            fprintf(f, " 每次扣%s分", ev);
        else if (it->kind == RUBRIC_COUNT)
            fprintf(f, " %s分 按%s计", pts, *it->unit ? it->unit : "数量");
        fputs("：", f);
        for (const char *s = it->text; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputs("\"\r\n", f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(buf);
        return mp_fail(err, "out of memory");
    }
    *out = buf;
    *len = n;
    return 0;
}

enum { MAX_FIELDS = 32, FIELD_BYTES_MAX = 1 << 14, MAX_ROWS = 100000, YEARS_MAX = 8 };

typedef struct row {
    size_t line;
    char *v[N_COLS];
} row;

typedef struct parser {
    csvrows *csv;
    char **fields; /* the row being read (csvrows') */
    size_t n_fields;
    int have_header;
    size_t n_header;               /* the header's fields */
    int col_of_field[MAX_FIELDS];  /* the column of each of them */
    row *rows;
    size_t n_rows;
} parser;

static void on_header(parser *p, size_t line)
{
    int seen[N_COLS] = {0};
    for (size_t i = 0; i < p->n_fields; i++) {
        p->col_of_field[i] = -1;
        for (int c = 0; c < N_COLS; c++)
            if (strcmp(p->fields[i], COLS[c]) == 0)
                p->col_of_field[i] = c;
        int c = p->col_of_field[i];
        if (c < 0) {
            csvrows_fail(p->csv, line, "unknown column \"%.40s\" (the columns are 日期, 单位代码, 项目, "
                                  "类别, 分值, 数量, 事项编号, 理由, 依据, 录入人)",
                         p->fields[i]);
            return;
        }
        if (seen[c]++) {
            csvrows_fail(p->csv, line, "the column %s is given twice", COLS[c]);
            return;
        }
    }
    for (int c = 0; c < N_COLS; c++)
        if (REQUIRED[c] && !seen[c]) {
            csvrows_fail(p->csv, line, "the column %s is missing (start from minping-office record "
                                  "template)",
                         COLS[c]);
            return;
        }
    p->n_header = p->n_fields;
    p->have_header = 1;
}

/* csvrows' row callback. */
static void on_row(void *user, char **fields, size_t n, size_t line)
{
    parser *p = user;
    p->fields = fields;
    p->n_fields = n;
    if (!p->have_header) {
        on_header(p, line);
        return;
    }
    if (n > p->n_header) {
        csvrows_fail(p->csv, line, "%zu fields, but the header names %zu columns", n,
                     p->n_header);
        return;
    }
    if (p->n_rows == MAX_ROWS) {
        csvrows_fail(p->csv, line, "more than %d records in one file", MAX_ROWS);
        return;
    }
    row *more = realloc(p->rows, (p->n_rows + 1) * sizeof *more);
    if (!more) {
        csvrows_fail(p->csv, line, "out of memory");
        return;
    }
    p->rows = more;
    row *rw = &p->rows[p->n_rows++];
    memset(rw, 0, sizeof *rw);
    rw->line = line;
    /* n <= n_header <= MAX_FIELDS, and every header field names a column. */
    for (size_t i = 0; i < p->n_fields; i++) {
        rw->v[p->col_of_field[i]] = p->fields[i];
        p->fields[i] = NULL;
    }
}

/* Excel may show a date as 2026/3/5: accept that and make it 2026-03-05. */
static int normalize_date(const char *s, char out[16])
{
    int y, m, d;
    char sep1, sep2, tail;
    if (sscanf(s, "%4d%c%2d%c%2d%c", &y, &sep1, &m, &sep2, &d, &tail) != 5 || sep1 != sep2 ||
        (sep1 != '-' && sep1 != '/' && sep1 != '.'))
        return -1;
    snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
    return 0;
}

static void free_rows(parser *p)
{
    for (size_t i = 0; i < p->n_rows; i++)
        for (int c = 0; c < N_COLS; c++)
            free(p->rows[i].v[c]);
    free(p->rows);
}

static int parse_csv(parser *p, const char *label, const char *buf, size_t len, mp_err *err)
{
    const csvrows_opts opts = {
        .label = label,
        .max_fields = MAX_FIELDS,
        .field_bytes_max = FIELD_BYTES_MAX,
        .comments = 1,
        .trim = CSVROWS_TRIM_SPACES,
        .utf8_checks = 1,
        .stray_bom = N_("%s, line %zu: a byte-order mark after the start of the file "
                        "(two files joined together?)"),
    };
    p->csv = csvrows_create(&opts, err);
    if (!p->csv || csvrows_read(p->csv, buf, len, on_row, p) < 0)
        return -1;
    if (!p->have_header)
        return mp_fail(err, "%s has no header line (日期, 单位代码, 项目, 类别, …)", label);
    if (p->n_rows == 0)
        return mp_fail(err, "%s has no records, only the header", label);
    return 0;
}

/* A number cell: "" is unset (-1). */
static int cell_number(parser *p, const row *rw, int c, int decimals, int64_t *out)
{
    const char *s = rw->v[c];
    *out = -1;
    if (!s || !*s)
        return 0;
    mp_err e;
    if (rubric_parse_decimal(s, decimals, out, &e) < 0) {
        csvrows_fail(p->csv, rw->line, "column %s: %s", COLS[c], e.msg);
        return -1;
    }
    return 0;
}

int arecord_import(sqlite3 *db, const char *label, const char *buf, size_t len,
                   arecord_rubric_fn rubric_for, void *user, const char *default_by,
                   int64_t now_utc, int64_t *n, mp_err *err)
{
    parser p = {0};
    *n = 0;
    if (parse_csv(&p, label, buf, len, err) < 0) {
        csvrows_destroy(p.csv);
        free_rows(&p);
        return -1;
    }
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        csvrows_destroy(p.csv);
        free_rows(&p);
        return db_fail(db, err);
    }
    int rc = 0;
    for (size_t i = 0; i < p.n_rows && rc == 0; i++) {
        row *rw = &p.rows[i];
        arecord_input in = {0};
        char date[16];
        if (!rw->v[C_DATE] || normalize_date(rw->v[C_DATE], date) < 0) {
            csvrows_fail(p.csv, rw->line, "column 日期: \"%.40s\" is not a date like 2026-03-05",
                         rw->v[C_DATE] ? rw->v[C_DATE] : "");
            rc = -1;
            break;
        }
        in.date = date;
        in.year = atoi(date);
        in.unit = rw->v[C_UNIT];
        in.item = rw->v[C_ITEM];
        in.kind = rw->v[C_KIND];
        for (size_t k = 0; in.kind && k < sizeof KINDS / sizeof KINDS[0]; k++)
            if (strcmp(in.kind, KINDS[k][1]) == 0)
                in.kind = KINDS[k][0];
        in.matter = rw->v[C_MATTER];
        in.reason = rw->v[C_REASON];
        in.evidence = rw->v[C_EVIDENCE];
        in.by = rw->v[C_BY] && *rw->v[C_BY] ? rw->v[C_BY] : default_by;
        if (cell_number(&p, rw, C_POINTS, 2, &in.points) < 0 ||
            cell_number(&p, rw, C_COUNT, 0, &in.count) < 0) {
            rc = -1;
            break;
        }
        mp_err e;
        const rubric *r = rubric_for(user, in.year, &e);
        if (!r) {
            csvrows_fail(p.csv, rw->line, "column 日期: %s", e.msg);
            rc = -1;
            break;
        }
        if (arecord_check(db, r, &in, &e) < 0) {
            int c = in.field;
            if (c >= 0 && c < N_COLS)
                csvrows_fail(p.csv, rw->line, "column %s: %s", COLS[c], e.msg);
            else
                csvrows_fail(p.csv, rw->line, "%s", e.msg);
            rc = -1;
            break;
        }
        char source[512];
        snprintf(source, sizeof source, "%s, line %zu", label, rw->line);
        int64_t id;
        if (insert(db, &in, source, NULL, 0, now_utc, &id, err) < 0) {
            rc = -1;
            break;
        }
        (*n)++;
    }
    csvrows_destroy(p.csv);
    free_rows(&p);
    if (rc < 0) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        *n = 0;
        return -1;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(db, err);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        *n = 0;
        return rc;
    }
    return 0;
}
