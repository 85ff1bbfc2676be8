/* unitreg.c - loading the unit registry from a CSV file (see unitreg.h).
 *
 * Two passes: the whole file is parsed (libcsv, strict mode, fed one line at
 * a time so every message can name its line) and checked into memory; only
 * then is it stored, in one transaction. */
#include "unitreg.h"

#include "csvrows.h"
#include "i18n.h"
#include "config.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const UNITREG_TYPE_NAMES[UNITREG_TYPES] = {"乡镇", "县直机关", "垂直管理单位",
                                                       "公共企事业单位"};

enum kind { K_CODE, K_NAME, K_TYPE, K_PERSON, K_TEXT, K_PHONE, K_EMAIL, K_QQ };

/* The columns a file may have.  The first three go to table units, the rest
 * to unit_contacts (column `db`). */
static const struct column {
    const char *header;
    const char *alias; /* another accepted header, or NULL */
    const char *db;
    enum kind kind;
} COLUMNS[] = {
    {"代码", "单位代码", "code", K_CODE},
    {"名称", "单位名称", "name", K_NAME},
    {"类型", "单位类型", "type", K_TYPE},
    {"分管领导", NULL, "leader", K_PERSON},
    {"分管领导职务", NULL, "leader_title", K_TEXT},
    {"分管领导电话", NULL, "leader_phone", K_PHONE},
    {"责任科室", NULL, "office", K_TEXT},
    {"科室负责人", NULL, "office_head", K_PERSON},
    {"科室负责人职务", NULL, "office_head_title", K_TEXT},
    {"科室负责人电话", NULL, "office_head_phone", K_PHONE},
    {"联系人1姓名", NULL, "contact1_name", K_PERSON},
    {"联系人1办公电话", NULL, "contact1_office_phone", K_PHONE},
    {"联系人1手机", NULL, "contact1_mobile", K_PHONE},
    {"联系人1电子邮箱", NULL, "contact1_email", K_EMAIL},
    {"联系人1QQ", NULL, "contact1_qq", K_QQ},
    {"联系人2姓名", NULL, "contact2_name", K_PERSON},
    {"联系人2办公电话", NULL, "contact2_office_phone", K_PHONE},
    {"联系人2手机", NULL, "contact2_mobile", K_PHONE},
    {"联系人2电子邮箱", NULL, "contact2_email", K_EMAIL},
    {"联系人2QQ", NULL, "contact2_qq", K_QQ},
};
enum {
    N_COLUMNS = sizeof COLUMNS / sizeof COLUMNS[0],
    COL_CODE = 0,
    COL_NAME = 1,
    COL_TYPE = 2,
    FIRST_CONTACT = 3,
    MAX_FIELDS = 64,
    PERSON_MAX_CHARS = 32,
    TEXT_MAX_CHARS = 64,
    MAX_UNITS = 10000,
    /* No field may grow past this (the longest value a unit needs is an
     * e-mail address of 254 bytes): libcsv grows a field's buffer 128 bytes
     * at a time, which is quadratic in the field's length wherever realloc
     * has to copy.  Lines are fed in pieces of this size to catch it early. */
    FIELD_BYTES_MAX = 1 << 16,
};
_Static_assert(N_COLUMNS <= MAX_FIELDS, "every column fits in a record");

/* One unit record of the file: v[c] is the value of COLUMNS[c], NULL when
 * the file has no such column. */
typedef struct record {
    size_t line;
    char *v[N_COLUMNS];
} record;

typedef struct parser {
    csvrows *csv;
    char **fields; /* the row being read (csvrows') */
    size_t n_fields;
    int have_header;
    size_t n_header;
    int col_of_field[MAX_FIELDS]; /* COLUMNS index of each header field */
    record *recs;
    size_t n_recs, cap_recs;
} parser;

static const char *type_list(void)
{
    return "乡镇, 县直机关, 垂直管理单位, 公共企事业单位";
}

/* v itself, or its first 40 bytes (cut at a character) and "…" in out: a
 * long value quoted in a message must not push the reason out of it. */
static const char *shown(const char *v, char out[48])
{
    size_t n = strlen(v);
    if (n <= 40)
        return v;
    n = 40;
    while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
        n--;
    memcpy(out, v, n);
    memcpy(out + n, "…", sizeof "…");
    return out;
}

/* Checks one value of column c; the message names the column. */
static int check_value(const struct column *c, const char *v, mp_err *err)
{
    mp_err why;
    char cut[48];
    long chars = utf8_count_printable(v);
    if (chars < 0)
        return mp_fail(err, "%s: the value contains a control character", c->header);
    switch (c->kind) {
    case K_CODE:
        if (config_check_unit_code(v, &why) < 0 || config_check_not_formula(v, &why) < 0)
            return mp_fail(err, "%s: %s", c->header, why.msg);
        return 0;
    case K_NAME:
        if (config_check_unit_name(v, &why) < 0 || config_check_not_formula(v, &why) < 0)
            return mp_fail(err, "%s \"%s\": %s", c->header, shown(v, cut), why.msg);
        return 0;
    case K_TYPE:
        for (int i = 0; i < UNITREG_TYPES; i++)
            if (strcmp(v, UNITREG_TYPE_NAMES[i]) == 0)
                return 0;
        return mp_fail(err, "%s \"%s\" is not one of %s", c->header, shown(v, cut), type_list());
    case K_PERSON:
        if (chars > PERSON_MAX_CHARS)
            return mp_fail(err, "%s is longer than %d characters", c->header, PERSON_MAX_CHARS);
        return 0;
    case K_TEXT:
        if (chars > TEXT_MAX_CHARS)
            return mp_fail(err, "%s is longer than %d characters", c->header, TEXT_MAX_CHARS);
        return 0;
    case K_PHONE: {
        if (!*v)
            return 0;
        int digits = 0;
        for (const char *s = v; *s;) {
            if (*s >= '0' && *s <= '9') {
                digits++;
                s++;
            } else if (strchr(" -+()", *s)) {
                s++;
            } else if (strncmp(s, "转", strlen("转")) == 0) { /* an extension */
                s += strlen("转");
            } else {
                return mp_fail(err, "%s \"%s\" is not a telephone number (digits, spaces, "
                                    "- + ( ) and 转 only)",
                               c->header, shown(v, cut));
            }
        }
        if (digits < 3 || chars > 32)
            return mp_fail(err, "%s \"%s\" is not a telephone number", c->header, shown(v, cut));
        return 0;
    }
    case K_EMAIL: {
        if (!*v)
            return 0;
        const char *at = strchr(v, '@');
        int ok = at && at != v && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
                 at[1] != '.' && v[strlen(v) - 1] != '.' && strlen(v) <= 254;
        for (const char *s = v; ok && *s; s++)
            ok = (unsigned char)*s > 0x20 && (unsigned char)*s < 0x7F;
        if (!ok)
            return mp_fail(err, "%s \"%s\" is not an e-mail address", c->header,
                           shown(v, cut));
        return 0;
    }
    case K_QQ: {
        if (!*v)
            return 0;
        size_t n = strlen(v);
        int ok = n >= 5 && n <= 12;
        for (const char *s = v; ok && *s; s++)
            ok = *s >= '0' && *s <= '9';
        if (!ok)
            return mp_fail(err, "%s \"%s\" is not a QQ number (5 to 12 digits)", c->header,
                           shown(v, cut));
        return 0;
    }
    }
    return 0;
}

static void read_header(parser *p, size_t line)
{
    char cut[48];
    int seen[N_COLUMNS];
    for (int c = 0; c < N_COLUMNS; c++)
        seen[c] = -1;
    for (size_t f = 0; f < p->n_fields; f++) {
        const char *h = p->fields[f];
        int col = -1;
        for (int c = 0; c < N_COLUMNS && col < 0; c++)
            if (strcmp(h, COLUMNS[c].header) == 0 ||
                (COLUMNS[c].alias && strcmp(h, COLUMNS[c].alias) == 0))
                col = c;
        if (!*h) {
            csvrows_fail(p->csv, line, "column %zu of the header has no name", f + 1);
            return;
        }
        if (col < 0) {
            csvrows_fail(p->csv, line,
                         "\"%s\" is not a column name; the first line must name the columns "
                         "(代码, 名称, 类型 and optionally 分管领导, 责任科室, 科室负责人, "
                         "联系人1姓名, 联系人1办公电话, 联系人1手机, 联系人1电子邮箱, 联系人1QQ, "
                         "联系人2…)",
                         shown(h, cut));
            return;
        }
        if (seen[col] >= 0) {
            csvrows_fail(p->csv, line, "the column %s is named twice (columns %d and %zu)",
                         COLUMNS[col].header, seen[col] + 1, f + 1);
            return;
        }
        seen[col] = (int)f;
        p->col_of_field[f] = col;
    }
    for (int c = COL_CODE; c <= COL_TYPE; c++)
        if (seen[c] < 0) {
            csvrows_fail(p->csv, line, "the header has no column %s", COLUMNS[c].header);
            return;
        }
    p->n_header = p->n_fields;
    p->have_header = 1;
}

static void read_unit(parser *p, size_t line)
{
    if (p->n_fields != p->n_header) {
        csvrows_fail(p->csv, line, "%zu fields, but the header names %zu columns", p->n_fields,
                     p->n_header);
        return;
    }
    if (p->n_recs == MAX_UNITS) {
        csvrows_fail(p->csv, line, "more than %d units", MAX_UNITS);
        return;
    }
    if (p->n_recs == p->cap_recs) {
        size_t cap = p->cap_recs ? 2 * p->cap_recs : 64;
        record *more = realloc(p->recs, cap * sizeof *more);
        if (!more) {
            csvrows_fail(p->csv, line, "out of memory");
            return;
        }
        p->recs = more;
        p->cap_recs = cap;
    }
    record *r = &p->recs[p->n_recs];
    memset(r, 0, sizeof *r);
    r->line = line;
    for (size_t f = 0; f < p->n_fields; f++) {
        int c = p->col_of_field[f];
        mp_err why;
        if (check_value(&COLUMNS[c], p->fields[f], &why) < 0) {
            csvrows_fail(p->csv, line, "%s", why.msg);
            for (int k = 0; k < N_COLUMNS; k++)
                free(r->v[k]);
            return;
        }
        r->v[c] = p->fields[f]; /* the record takes the field */
        p->fields[f] = NULL;
    }
    p->n_recs++;
    for (size_t i = 0; i + 1 < p->n_recs; i++)
        if (strcmp(p->recs[i].v[COL_CODE], r->v[COL_CODE]) == 0) {
            csvrows_fail(p->csv, line, "unit %s is also on line %zu", r->v[COL_CODE], p->recs[i].line);
            return;
        }
}

/* csvrows' row callback. */
static void on_row(void *user, char **fields, size_t n, size_t line)
{
    parser *p = user;
    p->fields = fields;
    p->n_fields = n;
    if (!p->have_header)
        read_header(p, line);
    else
        read_unit(p, line);
}

static void free_records(parser *p)
{
    for (size_t i = 0; i < p->n_recs; i++)
        for (int c = 0; c < N_COLUMNS; c++)
            free(p->recs[i].v[c]);
    free(p->recs);
    p->recs = NULL;
    p->n_recs = p->cap_recs = 0;
}

/* Parses the whole file into p->recs. */
static int parse(parser *p, const char *label, const char *buf, size_t len, mp_err *err)
{
    const csvrows_opts opts = {
        .label = label,
        .max_fields = MAX_FIELDS,
        .field_bytes_max = FIELD_BYTES_MAX,
        .comments = 1,
        .utf8_checks = 1,
        .stray_bom = N_("%s, line %zu: a byte-order mark (U+FEFF) after the start of the file "
                        "(two files joined together?)"),
        .too_long = N_("a field of more than %d bytes; not a unit registry"),
    };
    p->csv = csvrows_create(&opts, err);
    if (!p->csv || csvrows_read(p->csv, buf, len, on_row, p) < 0)
        return -1;
    if (!p->have_header)
        return mp_fail(err, "%s has no header line (代码, 名称, 类型, …)", label);
    if (p->n_recs == 0)
        return mp_fail(err, "%s has no units, only the header", label);
    return 0;
}

/* ---- storing ---- */

static const char *text_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static int add_rename(unitreg_result *res, const char *code, const char *old_name,
                      const char *new_name, const char *kiosks)
{
    unitreg_rename *more = realloc(res->renames, (res->n_renames + 1) * sizeof *more);
    if (!more)
        return -1;
    res->renames = more;
    unitreg_rename *r = &more[res->n_renames];
    r->code = strdup(code);
    r->old_name = strdup(old_name);
    r->new_name = strdup(new_name);
    r->kiosks = strdup(kiosks);
    res->n_renames++;
    return r->code && r->old_name && r->new_name && r->kiosks ? 0 : -1;
}

void unitreg_result_free(unitreg_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_renames; i++) {
        free(r->renames[i].code);
        free(r->renames[i].old_name);
        free(r->renames[i].new_name);
        free(r->renames[i].kiosks);
    }
    free(r->renames);
    memset(r, 0, sizeof *r);
}

typedef struct stmts {
    sqlite3_stmt *get_unit, *add_unit, *set_unit, *kiosks, *get_contacts, *put_contacts;
} stmts;

static void stmts_free(stmts *s)
{
    sqlite3_finalize(s->get_unit);
    sqlite3_finalize(s->add_unit);
    sqlite3_finalize(s->set_unit);
    sqlite3_finalize(s->kiosks);
    sqlite3_finalize(s->get_contacts);
    sqlite3_finalize(s->put_contacts);
}

/* Prepares the statements; the contact ones cover only the columns the file
 * has (present[c]). */
static int prepare(sqlite3 *db, const int *present, stmts *s, mp_err *err)
{
    char get[2048] = "SELECT 1", put_cols[1024] = "unit_code, updated_utc", put_vals[512] = "?1, ?2",
         put_set[1536] = "updated_utc = excluded.updated_utc";
    int n = 0;
    for (int c = FIRST_CONTACT; c < N_COLUMNS; c++) {
        if (!present[c])
            continue;
        n++;
        size_t l;
        l = strlen(get);
        snprintf(get + l, sizeof get - l, ", %s", COLUMNS[c].db);
        l = strlen(put_cols);
        snprintf(put_cols + l, sizeof put_cols - l, ", %s", COLUMNS[c].db);
        l = strlen(put_vals);
        snprintf(put_vals + l, sizeof put_vals - l, ", ?%d", n + 2);
        l = strlen(put_set);
        snprintf(put_set + l, sizeof put_set - l, ", %s = excluded.%s", COLUMNS[c].db,
                 COLUMNS[c].db);
    }
    char get_sql[2200], put_sql[3400];
    snprintf(get_sql, sizeof get_sql, "%s FROM unit_contacts WHERE unit_code = ?1", get);
    snprintf(put_sql, sizeof put_sql,
             "INSERT INTO unit_contacts(%s) VALUES (%s) ON CONFLICT(unit_code) DO UPDATE SET %s",
             put_cols, put_vals, put_set);
    if (sqlite3_prepare_v2(db, "SELECT name, coalesce(type, '') FROM units WHERE code = ?1", -1,
                           &s->get_unit, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO units(code, name, type) VALUES (?1, ?2, ?3)", -1,
                           &s->add_unit, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE units SET name = ?2, type = ?3 WHERE code = ?1", -1,
                           &s->set_unit, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT coalesce(group_concat(kiosk_id, ', '), '') FROM (SELECT "
                           "kiosk_id FROM kiosk_units WHERE unit_code = ?1 ORDER BY kiosk_id)",
                           -1, &s->kiosks, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, get_sql, -1, &s->get_contacts, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, put_sql, -1, &s->put_contacts, NULL) != SQLITE_OK)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    return 0;
}

static int step(sqlite3 *db, sqlite3_stmt *st, mp_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    return 0;
}

/* Stores one record; *changed says whether anything differed. */
static int store_record(sqlite3 *db, stmts *s, const int *present, const record *r,
                        int64_t now_utc, unitreg_result *res, mp_err *err)
{
    const char *code = r->v[COL_CODE], *name = r->v[COL_NAME], *type = r->v[COL_TYPE];
    sqlite3_stmt *st = s->get_unit;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int known = rc == SQLITE_ROW, changed = 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    }
    if (known) {
        const char *old_name = text_col(st, 0), *old_type = text_col(st, 1);
        if (strcmp(old_name, name) != 0) {
            sqlite3_bind_text(s->kiosks, 1, code, -1, SQLITE_STATIC);
            int krc = sqlite3_step(s->kiosks);
            int bad = krc != SQLITE_ROW ||
                      add_rename(res, code, old_name, name, text_col(s->kiosks, 0)) < 0;
            sqlite3_reset(s->kiosks);
            if (bad) {
                sqlite3_reset(st);
                return mp_fail(err, "office database: %s",
                               krc != SQLITE_ROW ? sqlite3_errmsg(db) : "out of memory");
            }
        }
        changed = strcmp(old_name, name) != 0 || strcmp(old_type, type) != 0;
    }
    sqlite3_reset(st);
    st = known ? s->set_unit : s->add_unit;
    if (!known || changed) {
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
        if (step(db, st, err) < 0)
            return -1;
    }

    int any_contact = 0;
    for (int c = FIRST_CONTACT; c < N_COLUMNS; c++)
        any_contact |= present[c];
    if (any_contact) {
        /* Compare what the file says with what is stored. */
        st = s->get_contacts;
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        int contacts_changed = 0;
        if (rc == SQLITE_ROW) {
            int i = 1;
            for (int c = FIRST_CONTACT; c < N_COLUMNS; c++)
                if (present[c])
                    contacts_changed |= strcmp(text_col(st, i++), r->v[c]) != 0;
        } else if (rc == SQLITE_DONE) {
            for (int c = FIRST_CONTACT; c < N_COLUMNS; c++)
                if (present[c])
                    contacts_changed |= r->v[c][0] != '\0';
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
        if (contacts_changed) {
            st = s->put_contacts;
            sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, now_utc);
            int i = 3;
            for (int c = FIRST_CONTACT; c < N_COLUMNS; c++)
                if (present[c])
                    sqlite3_bind_text(st, i++, r->v[c], -1, SQLITE_STATIC);
            if (step(db, st, err) < 0)
                return -1;
            changed = 1;
        }
    }
    if (!known)
        res->added++;
    else if (changed)
        res->updated++;
    else
        res->unchanged++;
    return 0;
}

int unitreg_import(sqlite3 *db, const char *label, const char *buf, size_t len,
                   int64_t now_utc, unitreg_result *out, mp_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > UNITREG_FILE_MAX)
        return mp_fail(err, "%s is larger than %u MiB; not a unit registry", label,
                       UNITREG_FILE_MAX >> 20);
    parser p;
    memset(&p, 0, sizeof p);
    int parsed = parse(&p, label, buf, len, err);
    csvrows_destroy(p.csv);
    if (parsed < 0) {
        free_records(&p);
        return -1;
    }
    int present[N_COLUMNS] = {0};
    for (size_t f = 0; f < p.n_header; f++)
        present[p.col_of_field[f]] = 1;

    stmts s;
    memset(&s, 0, sizeof s);
    unitreg_result res;
    memset(&res, 0, sizeof res);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        mp_fail(err, "office database busy or read-only: %s", sqlite3_errmsg(db));
        free_records(&p);
        return -1;
    }
    if (prepare(db, present, &s, err) < 0)
        goto fail;
    for (size_t i = 0; i < p.n_recs; i++)
        if (store_record(db, &s, present, &p.recs[i], now_utc, &res, err) < 0) {
            mp_wrap(err, "%s, line %zu", label, p.recs[i].line);
            goto fail;
        }
    stmts_free(&s);
    memset(&s, 0, sizeof s);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        mp_fail(err, "cannot commit to the office database: %s", sqlite3_errmsg(db));
        goto fail;
    }
    res.units = (int64_t)p.n_recs;
    free_records(&p);
    *out = res;
    return 0;
fail:
    stmts_free(&s);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    unitreg_result_free(&res);
    free_records(&p);
    return -1;
}

int unitreg_each(sqlite3 *db, unitreg_unit_fn fn, void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT u.code, u.name, coalesce(u.type, ''), coalesce(c.leader, ''),"
                           " coalesce(c.office, ''), coalesce(c.contact1_name, ''),"
                           " coalesce(c.contact1_office_phone, ''),"
                           " coalesce(c.contact1_mobile, '')"
                           " FROM units u LEFT JOIN unit_contacts c ON c.unit_code = u.code"
                           " ORDER BY u.code",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        unitreg_unit u = {text_col(st, 0), text_col(st, 1), text_col(st, 2), text_col(st, 3),
                          text_col(st, 4), text_col(st, 5), text_col(st, 6), text_col(st, 7)};
        if (fn(user, &u) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while listing units");
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    return 0;
}

int unitreg_each_form(sqlite3 *db, const char *code, unitreg_form_fn fn, void *user, size_t *n,
                      mp_err *err)
{
    static const char SQL[] =
        "SELECT u.code, u.name, coalesce(u.type, ''), coalesce(c.leader, ''),"
        " coalesce(c.leader_title, ''), coalesce(c.leader_phone, ''), coalesce(c.office, ''),"
        " coalesce(c.office_head, ''), coalesce(c.office_head_title, ''),"
        " coalesce(c.office_head_phone, ''),"
        " coalesce(c.contact1_name, ''), coalesce(c.contact1_office_phone, ''),"
        " coalesce(c.contact1_mobile, ''), coalesce(c.contact1_email, ''),"
        " coalesce(c.contact1_qq, ''),"
        " coalesce(c.contact2_name, ''), coalesce(c.contact2_office_phone, ''),"
        " coalesce(c.contact2_mobile, ''), coalesce(c.contact2_email, ''),"
        " coalesce(c.contact2_qq, '')"
        " FROM units u LEFT JOIN unit_contacts c ON c.unit_code = u.code"
        " WHERE ?1 IS NULL OR u.code = ?1 ORDER BY u.code";
    sqlite3_stmt *st;
    *n = 0;
    if (sqlite3_prepare_v2(db, SQL, -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    if (code && sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
        sqlite3_finalize(st);
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        unitreg_form f = {
            text_col(st, 0), text_col(st, 1), text_col(st, 2), text_col(st, 3),
            text_col(st, 4), text_col(st, 5), text_col(st, 6), text_col(st, 7),
            text_col(st, 8), text_col(st, 9),
            {{text_col(st, 10), text_col(st, 11), text_col(st, 12), text_col(st, 13),
              text_col(st, 14)},
             {text_col(st, 15), text_col(st, 16), text_col(st, 17), text_col(st, 18),
              text_col(st, 19)}},
        };
        (*n)++;
        if (fn(user, &f) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while writing the registration forms");
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    return 0;
}
