/* wjx.c - `minping-office import-wjx --unit CODE|--unit-from COLUMN FILE.csv`:
 * the answers of a 问卷星 (wjx.cn) survey, downloaded "按文本" as CSV, stored
 * as online votes in the ledger (the file format: app/core/wjx.h).
 *
 * How they are keyed, so that the ledger's rules and the report work as for
 * any export: the source (kiosk_id) is "wjx", registered in kiosks on the
 * first import (survey_url "(问卷星)"); the database instance is the survey
 * (BLAKE2b-128 of its question titles, or of --survey ID); seq is 序号; the
 * uuid is made from those three.  A re-import of the same answers counts
 * once; the same 序号 with other content (another unit, another rating)
 * rejects the file.  Each file is one transaction: all or nothing.
 */
#include "office.h"

#include "clock.h"
#include "fsutil.h"
#include "i18n.h"
#include "ledger.h"
#include "registry.h"
#include "wjx.h"

#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CMD "import-wjx"
#define SOURCE_ID "wjx"
#define WJX_FILE_MAX (256u * 1024 * 1024)

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] import-wjx (--unit CODE | --unit-from COLUMN)\n"
          "                      [--survey ID] FILE.csv...\n"
          "\n"
          "Stores the answers of a 问卷星 survey as online votes.  FILE.csv is the survey's\n"
          "download \"按文本\" (UTF-8, with or without a byte-order mark, or GB18030): the\n"
          "columns 序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP, then one per question,\n"
          "\"N、题干\".  The satisfaction question is the first whose title contains 满意;\n"
          "its answers 非常满意, 基本满意, 一般, 不满意 count 10, 8, 6, 0 points.  Answers\n"
          "filled in 2 seconds or less are flagged (kept; the report shows them).  No\n"
          "other column is read: 来自IP and the other answers are not stored.\n"
          "\n"
          "Options:\n"
          "  --unit CODE         every answer is about this registered unit\n"
          "  --unit-from COLUMN  the unit is the answer to this question: its title,\n"
          "                      the title without its number, or its number; each\n"
          "                      answer must be a registered unit's code or name\n"
          "  --survey ID         the survey's name in the ledger (default: made from\n"
          "                      its question titles; give one when two surveys ask\n"
          "                      the very same questions)\n"
          "  -h, --help          show this help\n"
          "\n"
          "Each file is stored in one transaction; a file with any error (named with\n"
          "its line and column) stores nothing.  Importing the same answers again\n"
          "counts them once.  Exit status: 0 done; 1 a file was rejected; 2 a mistake in\n"
          "the command line.\n"),
          f);
}

/* The registered unit whose code or name is text: 0 and code/name filled,
 * or -1 (not registered) or -2 (database error, err set). */
static int find_unit(sqlite3 *db, const char *text, char **code, char **name, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT code, name FROM units WHERE code = ?1 UNION ALL "
                               "SELECT code, name FROM units WHERE name = ?1 LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK) {
        mp_fail(err, "office database: %s", sqlite3_errmsg(db));
        return -2;
    }
    sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), found = -1;
    if (rc == SQLITE_ROW) {
        *code = strdup((const char *)sqlite3_column_text(st, 0));
        *name = strdup((const char *)sqlite3_column_text(st, 1));
        found = *code && *name ? 0 : -2;
        if (found < 0)
            mp_fail(err, "out of memory");
    } else if (rc != SQLITE_DONE) {
        mp_fail(err, "office database: %s", sqlite3_errmsg(db));
        found = -2;
    }
    sqlite3_finalize(st);
    return found;
}

/* Registers the source "wjx" inside the open transaction (once). */
static int register_source(sqlite3 *db, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT survey_url FROM kiosks WHERE id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, SOURCE_ID, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int other = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), OFFICE_WJX_MARK);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    if (other)
        return mp_fail(err, "a kiosk is named %s, the name 问卷星 answers are kept under; "
                            "re-provision that kiosk under another name",
                       SOURCE_ID);
    if (rc == SQLITE_ROW)
        return 0;
    /* provisioned_utc 0: answers of any date are not "before provisioning". */
    if (sqlite3_prepare_v2(db, "INSERT INTO kiosks(id, survey_url, provisioned_utc) "
                               "VALUES (?1, ?2, 0)",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, SOURCE_ID, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, OFFICE_WJX_MARK, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    return 0;
}

/* The uuid of answer seq of survey instance: BLAKE2b-128, as a UUID. */
static void answer_uuid(const char *instance, int64_t seq, char out[37])
{
    char key[64];
    int n = snprintf(key, sizeof key, "wjx:%s:%" PRId64, instance, seq);
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)key, (size_t)n, NULL, 0);
    h[6] = (unsigned char)((h[6] & 0x0F) | 0x80); /* version 8: made by hashing, custom */
    h[8] = (unsigned char)((h[8] & 0x3F) | 0x80);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

typedef struct opts {
    const char *unit, *unit_from, *survey;
} opts;

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* Imports one file in one transaction; prints its line.  0 when imported. */
static int import_one(sqlite3 *db, const opts *o, const char *path)
{
    mp_err err;
    char *buf = NULL;
    size_t len = 0;
    if (fs_read_file(path, WJX_FILE_MAX, 0, &buf, &len, &err) < 0) {
        office_fail("%s: rejected, nothing imported: %s", path, err.msg);
        return -1;
    }
    unsigned char sha[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(sha, (const unsigned char *)buf, len);
    char sha_hex[65];
    sodium_bin2hex(sha_hex, sizeof sha_hex, sha, sizeof sha);
    wjx_file *f = NULL;
    int rc = wjx_parse(buf, len, path, o->unit_from, &f, &err);
    free(buf);
    if (rc < 0) {
        office_fail("%s", err.msg);
        return -1;
    }

    char instance[33];
    if (o->survey) {
        unsigned char h[16];
        char key[300];
        int n = snprintf(key, sizeof key, "wjx-survey:%s", o->survey);
        crypto_generichash(h, sizeof h, (const unsigned char *)key, (size_t)n, NULL, 0);
        sodium_bin2hex(instance, sizeof instance, h, sizeof h);
    } else {
        memcpy(instance, f->questions, sizeof instance);
    }

    /* The units, all found before anything is stored. */
    char **codes = calloc(f->n_rows, sizeof *codes), **names = calloc(f->n_rows, sizeof *names);
    ledger_tx *tx = NULL;
    int64_t flagged = 0;
    int ok = 0;
    if (!codes || !names) {
        office_fail("out of memory");
        goto done;
    }
    for (size_t i = 0; i < f->n_rows; i++) {
        const char *want = o->unit ? o->unit : f->rows[i].unit;
        int found = find_unit(db, want, &codes[i], &names[i], &err);
        if (found == -2) {
            office_fail("%s: rejected, nothing imported: %s", path, err.msg);
            goto done;
        }
        if (found < 0) {
            if (o->unit)
                office_fail("%s: rejected, nothing imported: unit %s is not in the unit "
                              "registry (minping-office units import)",
                            path, o->unit);
            else
                office_fail("%s, line %zu, column %zu (%s): \"%s\" is neither the code nor "
                            "the name of a registered unit; nothing was imported",
                            path, f->rows[i].line, f->unit_col, f->unit_title, want);
            goto done;
        }
    }

    if (ledger_tx_begin(db, base_name(path), sha_hex, clock_utc_now(), &tx, &err) < 0 ||
        register_source(db, &err) < 0 || ledger_tx_expect(tx, (int64_t)f->n_rows, &err) < 0) {
        office_fail("%s: rejected, nothing imported: %s", path, err.msg);
        goto done;
    }
    for (size_t i = 0; i < f->n_rows; i++) {
        const wjx_row *r = &f->rows[i];
        char uuid[37];
        answer_uuid(instance, r->seq, uuid);
        export_row row = {.kiosk_id = SOURCE_ID, .instance = instance, .seq = r->seq,
                          .uuid = uuid, .cast_utc = r->submitted_utc,
                          .utc_offset = WJX_UTC_OFFSET, .unit_code = codes[i],
                          .unit_name = names[i], .points = r->points, .channel = "online",
                          .flagged = r->flagged};
        if (ledger_tx_add(tx, &row, &err) < 0) {
            office_fail("%s, line %zu: rejected, nothing imported: %s", path, r->line,
                        err.msg);
            goto done;
        }
        flagged += r->flagged;
    }
    export_meta meta = {.exported_utc = clock_utc_now(), .rows = (int64_t)f->n_rows,
                        .first_seq = f->rows[0].seq, .last_seq = f->rows[f->n_rows - 1].seq,
                        .version = 1};
    snprintf(meta.kiosk_id, sizeof meta.kiosk_id, "%s", SOURCE_ID);
    memcpy(meta.instance, instance, sizeof meta.instance);
    snprintf(meta.key_id, sizeof meta.key_id, "%s", "unsigned");
    ledger_summary sum;
    rc = ledger_tx_commit(tx, &meta, &sum, &err);
    tx = NULL;
    if (rc < 0) {
        office_fail("%s: rejected, nothing imported: %s", path, err.msg);
        goto done;
    }
    printf(_("%s: 问卷星 survey %.8s, question \"%s\": %" PRId64 " answers, %" PRId64
             " new, %" PRId64 " flagged (filled in 2 s or less)%s\n"),
           path, instance, f->rating_title, sum.rows, sum.new_rows, flagged,
           sum.seen_import_id ? _(" (this very file was imported before)") : "");
    if (office_print_gaps(stderr, "minping-office: warning: ", db, SOURCE_ID, instance, &err) < 0)
        office_fail("%s", err.msg);
    ok = 1;
done:
    ledger_tx_abort(tx);
    for (size_t i = 0; codes && names && i < f->n_rows; i++) {
        free(codes[i]);
        free(names[i]);
    }
    free(codes);
    free(names);
    wjx_free(f);
    return ok ? 0 : -1;
}

int office_import_wjx(const office_ctx *ctx, int argc, char **argv)
{
    enum { OPT_UNIT = 1000, OPT_UNIT_FROM, OPT_SURVEY };
    static const struct option LONG[] = {
        {"unit", required_argument, NULL, OPT_UNIT},
        {"unit-from", required_argument, NULL, OPT_UNIT_FROM},
        {"survey", required_argument, NULL, OPT_SURVEY},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opts o = {NULL, NULL, NULL};
    opterr = 0;
    optind = 0; /* glibc: start a fresh scan of a new argument vector */
    int c;
    while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
        switch (c) {
        case 'h': print_help(stdout); return OFFICE_EXIT_OK;
        case OPT_UNIT: o.unit = optarg; break;
        case OPT_UNIT_FROM: o.unit_from = optarg; break;
        case OPT_SURVEY: o.survey = optarg; break;
        default: return office_option_error(CMD, c, argv);
        }
    }
    if (!o.unit == !o.unit_from)
        return office_usage(CMD, "give exactly one of --unit CODE and --unit-from COLUMN");
    if ((o.unit && !*o.unit) || (o.unit_from && !*o.unit_from) || (o.survey && !*o.survey) ||
        (o.survey && strlen(o.survey) > 200))
        return office_usage(CMD, "an option's value is empty or too long");
    if (optind >= argc)
        return office_usage(CMD, "no file given");

    mp_err err;
    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0)
        return office_fail("%s", err.msg);
    int files = argc - optind, rejected = 0;
    for (int i = optind; i < argc; i++)
        if (import_one(registry_sqlite(reg), &o, argv[i]) < 0)
            rejected++;
    registry_close(reg);
    if (files > 1)
        printf(_("%d of %d files imported; %d rejected.\n"), files - rejected, files, rejected);
    return rejected ? OFFICE_EXIT_FAIL : OFFICE_EXIT_OK;
}
