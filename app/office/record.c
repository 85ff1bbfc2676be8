/* record.c - `minping-office record ...`: the assessment's year-round
 * records (平时记录).
 *
 *   record add --year Y --unit CODE --item ID --kind score|deduct|count|bonus
 *              [--points P] [--count N] [--matter ID] --reason TEXT
 *              [--evidence REF] [--date YYYY-MM-DD] [--by NAME]
 *   record replace ID --reason TEXT [--points P] [--count N] [--matter ID]
 *              [--evidence REF] [--date YYYY-MM-DD] [--by NAME]
 *   record reverse ID --reason TEXT [--evidence REF] [--date YYYY-MM-DD] [--by NAME]
 *   record list --year Y [--unit CODE]
 *   record template --year Y --out FILE.csv
 *   record import FILE.csv [--by NAME]
 *
 * add, replace and reverse print the new record's id as their last line.
 * Records are checked against the rubric of their year (rubricfind.h) and
 * stored by app/core/arecord.c; they are never changed or deleted.
 */
#include "office.h"

#include "arecord.h"
#include "clock.h"
#include "fsutil.h"
#include "i18n.h"
#include "registry.h"
#include "rubricfind.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD "record"

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] record add --year YYYY --unit CODE --item ID\n"
            "           --kind score|deduct|count|bonus [--points P] [--count N]\n"
            "           [--matter ID] --reason TEXT [--evidence REF] [--date YYYY-MM-DD]\n"
            "       minping-office record replace ID --reason TEXT [--points P] [--count N]\n"
            "           [--matter ID] [--evidence REF] [--date YYYY-MM-DD]\n"
            "       minping-office record reverse ID --reason TEXT [--evidence REF]\n"
            "       minping-office record list --year YYYY [--unit CODE]\n"
            "       minping-office record template --year YYYY --out FILE.csv\n"
            "       minping-office record import FILE.csv\n"
            "\n"
            "The assessment's year-round records (平时记录), one per unit, rubric item and\n"
            "event, checked against the rubric of the year (minping-office rubric show):\n"
            "  score   an item met or partly met: --points 0 to the item's points\n"
            "  deduct  a deduction (二.4, 二.5, 三.2.3): --count events (default 1) at the\n"
            "          item's points per event, or --points; deductions with the same\n"
            "          --matter count once, the heaviest (从重)\n"
            "  count   items published (二.2.1, 三.1.2): --count N, added up over the year\n"
            "  bonus   加分 outside the 100: --item 加分 --points P\n"
            "Every record has a reason and may name its evidence (a document number or a\n"
            "file name).  Records are never changed or deleted: replace and reverse add a\n"
            "correction naming the record they correct and why.  add, replace and\n"
            "reverse print the new record's id as their last line.\n"
            "\n"
            "template writes a CSV file to fill in Excel or WPS (UTF-8 with a byte-order\n"
            "mark; columns 日期, 单位代码, 项目, 类别, 分值, 数量, 事项编号, 理由, 依据,\n"
            "录入人; lines starting with # are ignored); import stores such a file in one\n"
            "transaction: one bad cell stores nothing and is named by line and column.\n"
            "\n"
            "Options:\n"
            "  --date DATE   the record's date (default: today); it must lie in --year\n"
            "  --by NAME     who enters the record (default: $USER)\n"
            "  --rubric FILE the rubric to check against instead of the year's\n"
            "  -h, --help    show this help\n"
            "\n"
            "Exit status: 0 done; 1 refused (one line says why; nothing stored); 2 a\n"
            "mistake in the command line.\n"),
          f);
}

enum {
    OPT_YEAR = 256, OPT_UNIT, OPT_ITEM, OPT_KIND, OPT_POINTS, OPT_COUNT, OPT_MATTER, OPT_REASON,
    OPT_EVIDENCE, OPT_DATE, OPT_BY, OPT_OUT, OPT_RUBRIC,
};

typedef struct opts {
    int year;
    const char *unit, *item, *kind, *matter, *reason, *evidence, *date, *by, *out, *rubric;
    int64_t points, count;
    const char *operand;
} opts;

static int parse(int argc, char **argv, opts *o, int *status)
{
    static const struct option longs[] = {
        {"year", required_argument, NULL, OPT_YEAR},
        {"unit", required_argument, NULL, OPT_UNIT},
        {"item", required_argument, NULL, OPT_ITEM},
        {"kind", required_argument, NULL, OPT_KIND},
        {"points", required_argument, NULL, OPT_POINTS},
        {"count", required_argument, NULL, OPT_COUNT},
        {"matter", required_argument, NULL, OPT_MATTER},
        {"reason", required_argument, NULL, OPT_REASON},
        {"evidence", required_argument, NULL, OPT_EVIDENCE},
        {"date", required_argument, NULL, OPT_DATE},
        {"by", required_argument, NULL, OPT_BY},
        {"out", required_argument, NULL, OPT_OUT},
        {"rubric", required_argument, NULL, OPT_RUBRIC},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->points = o->count = -1;
    mp_err err;
    optind = 0;
    opterr = 0;
    int c;
    /* Options may follow the subcommand and its operand. */
    while ((c = getopt_long(argc, argv, "-:h", longs, NULL)) != -1) {
        switch (c) {
        case 1:
            if (o->operand) {
                *status = office_usage(CMD, "unexpected argument \"%s\"", optarg);
                return -1;
            }
            o->operand = optarg;
            break;
        case OPT_YEAR:
            if (office_parse_year(optarg, &o->year, &err) < 0) {
                *status = office_usage(CMD, "--year: %s", err.msg);
                return -1;
            }
            break;
        case OPT_UNIT: o->unit = optarg; break;
        case OPT_ITEM: o->item = optarg; break;
        case OPT_KIND: o->kind = optarg; break;
        case OPT_MATTER: o->matter = optarg; break;
        case OPT_REASON: o->reason = optarg; break;
        case OPT_EVIDENCE: o->evidence = optarg; break;
        case OPT_DATE: o->date = optarg; break;
        case OPT_BY: o->by = optarg; break;
        case OPT_OUT: o->out = optarg; break;
        case OPT_RUBRIC: o->rubric = optarg; break;
        case OPT_POINTS:
            if (rubric_parse_decimal(optarg, 2, &o->points, &err) < 0) {
                *status = office_usage(CMD, "--points: %s", err.msg);
                return -1;
            }
            break;
        case OPT_COUNT:
            if (rubric_parse_decimal(optarg, 0, &o->count, &err) < 0) {
                *status = office_usage(CMD, "--count: %s", err.msg);
                return -1;
            }
            break;
        case 'h':
            print_help(stdout);
            *status = OFFICE_EXIT_OK;
            return -1;
        default:
            *status = office_option_error(CMD, c, argv);
            return -1;
        }
    }
    return 0;
}

/* Who enters the record: --by, else $USER. */
static const char *who(const opts *o)
{
    if (o->by)
        return o->by;
    const char *u = getenv("USER");
    return u && *u ? u : NULL;
}

static void today(char buf[16])
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 16, "%Y-%m-%d", &tm);
}

static void print_record_line(const arecord *a)
{
    char pts[32] = "", status[128] = "";
    if (a->points >= 0)
        rubric_fmt2(a->points, pts, sizeof pts);
    if (a->corrected_by)
        snprintf(status, sizeof status, "%s #%" PRId64,
                 strcmp(a->corrected_how, "reverse") == 0 ? "已撤销" : "已更正", a->corrected_by);
    else if (strcmp(a->correction, "reverse") == 0)
        snprintf(status, sizeof status, "撤销 #%" PRId64, a->corrects);
    else if (strcmp(a->correction, "replace") == 0)
        snprintf(status, sizeof status, "有效（更正 #%" PRId64 "）", a->corrects);
    else
        snprintf(status, sizeof status, "有效");
    char count[32] = "";
    if (a->count >= 0)
        snprintf(count, sizeof count, "%" PRId64, a->count);
    char when[32];
    office_format_time(a->entered_utc, when, sizeof when);
    printf("%" PRId64 "\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s %s\t%s\n", a->id, a->date,
           a->unit, a->item, a->kind, pts, count, a->matter, a->reason, a->evidence, a->by, when,
           status);
}

static int list_one(void *user, const arecord *a)
{
    int *n = user;
    (*n)++;
    print_record_line(a);
    return 0;
}

typedef struct last_ctx {
    int64_t id;
    int found;
} last_ctx;

static int find_id(void *user, const arecord *a)
{
    last_ctx *l = user;
    if (a->id == l->id) {
        l->found = 1;
        print_record_line(a);
    }
    return 0;
}

/* Prints the stored record, then its id alone as the last line. */
static int confirm(sqlite3 *db, int year, int64_t id)
{
    last_ctx l = {id, 0};
    mp_err err;
    if (arecord_each(db, NULL, year, find_id, &l, &err) < 0)
        return office_fail("%s", err.msg);
    printf("%" PRId64 "\n", id);
    return OFFICE_EXIT_OK;
}

static int run_add(const office_ctx *ctx, opts *o)
{
    if (!o->year)
        return office_usage(CMD, "add: --year is required");
    if (!o->unit || !o->item || !o->kind || !o->reason)
        return office_usage(CMD, "add: --unit, --item, --kind and --reason are required");
    if (o->operand)
        return office_usage(CMD, "unexpected argument \"%s\"", o->operand);
    mp_err err;
    rubric *r = NULL;
    if (office_load_rubric(ctx, o->rubric, o->year, &r, &err) < 0)
        return office_fail("%s", err.msg);
    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0) {
        rubric_destroy(r);
        return office_fail("%s", err.msg);
    }
    char date[16];
    today(date);
    arecord_input in = {
        .year = o->year, .date = o->date ? o->date : date, .unit = o->unit, .item = o->item,
        .kind = o->kind, .points = o->points, .count = o->count, .matter = o->matter,
        .reason = o->reason, .evidence = o->evidence, .by = who(o),
    };
    int64_t id;
    int rc = arecord_add(registry_sqlite(reg), r, &in, clock_utc_now(), &id, &err);
    rubric_destroy(r);
    int status = rc < 0 ? office_fail("%s; nothing was stored", err.msg)
                        : confirm(registry_sqlite(reg), o->year, id);
    registry_close(reg);
    return status;
}

static int run_correct(const office_ctx *ctx, opts *o, const char *how)
{
    if (!o->operand)
        return office_usage(CMD, "%s: name the record's id", how);
    int64_t target;
    mp_err err;
    if (rubric_parse_decimal(o->operand, 0, &target, &err) < 0 || target <= 0)
        return office_usage(CMD, "%s: \"%s\" is not a record id", how, o->operand);
    if (!o->reason)
        return office_usage(CMD, "%s: --reason is required (why the record is corrected)", how);
    if (strcmp(how, "reverse") == 0 && (o->points >= 0 || o->count >= 0 || o->matter))
        return office_usage(CMD, "reverse: takes no --points, --count or --matter (use replace)");
    if (o->unit || o->item || o->kind)
        return office_usage(CMD, "%s: the unit, item and kind stay those of record %s", how,
                            o->operand);
    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0)
        return office_fail("%s", err.msg);
    sqlite3 *db = registry_sqlite(reg);
    int year = 0;
    rubric *r = NULL;
    int status;
    if (arecord_year_of(db, target, &year, &err) < 0 ||
        office_load_rubric(ctx, o->rubric, year, &r, &err) < 0) {
        status = office_fail("%s", err.msg);
    } else {
        arecord_input in = {
            .date = o->date, .points = o->points, .count = o->count, .matter = o->matter,
            .reason = o->reason, .evidence = o->evidence, .by = who(o),
        };
        int64_t id;
        if (arecord_correct(db, r, target, how, &in, clock_utc_now(), &id, &err) < 0)
            status = office_fail("%s; nothing was stored", err.msg);
        else
            status = confirm(db, in.year ? in.year : year, id);
    }
    rubric_destroy(r);
    registry_close(reg);
    return status;
}

static int run_list(const office_ctx *ctx, opts *o)
{
    if (!o->year)
        return office_usage(CMD, "list: --year is required");
    if (o->operand)
        return office_usage(CMD, "unexpected argument \"%s\"", o->operand);
    mp_err err;
    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0)
        return office_fail("%s", err.msg);
    printf("编号\t日期\t单位代码\t项目\t类别\t分值\t数量\t事项编号\t理由\t依据\t录入人 录入时间\t状态\n");
    int n = 0;
    int rc = arecord_each(registry_sqlite(reg), o->unit, o->year, list_one, &n, &err);
    registry_close(reg);
    if (rc < 0)
        return office_fail("%s", err.msg);
    return OFFICE_EXIT_OK;
}

static int run_template(const office_ctx *ctx, opts *o)
{
    if (!o->year || !o->out)
        return office_usage(CMD, "template: --year and --out are required");
    mp_err err;
    rubric *r = NULL;
    if (office_load_rubric(ctx, o->rubric, o->year, &r, &err) < 0)
        return office_fail("%s", err.msg);
    char *text = NULL;
    size_t len = 0;
    int rc = arecord_template(r, &text, &len, &err);
    rubric_destroy(r);
    if (rc < 0)
        return office_fail("%s", err.msg);
    rc = fs_write_atomic(o->out, text, len, 0644, &err);
    free(text);
    if (rc < 0)
        return office_fail("%s", err.msg);
    printf(_("%s: the template for %d; fill it in and run minping-office record import %s\n"),
           o->out, o->year, o->out);
    return OFFICE_EXIT_OK;
}

/* The rubrics of the years an import touches, loaded once each. */
typedef struct years {
    const office_ctx *ctx;
    const char *path;
    int year[8];
    rubric *r[8];
    int n;
} years;

static const rubric *rubric_for(void *user, int year, mp_err *err)
{
    years *y = user;
    for (int i = 0; i < y->n; i++)
        if (y->year[i] == year)
            return y->r[i];
    if (y->n == 8) {
        mp_fail(err, "records of more than 8 years in one file");
        return NULL;
    }
    rubric *r = NULL;
    if (office_load_rubric(y->ctx, y->path, year, &r, err) < 0)
        return NULL;
    y->year[y->n] = year;
    y->r[y->n++] = r;
    return r;
}

static int run_import(const office_ctx *ctx, opts *o)
{
    if (!o->operand)
        return office_usage(CMD, "import: no file given");
    mp_err err;
    char *buf = NULL;
    size_t len = 0;
    if (fs_read_file(o->operand, ARECORD_FILE_MAX, 0, &buf, &len, &err) < 0)
        return office_fail("%s: %s", o->operand, err.msg);
    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0) {
        free(buf);
        return office_fail("%s", err.msg);
    }
    years y = {.ctx = ctx, .path = o->rubric};
    int64_t n = 0;
    int rc = arecord_import(registry_sqlite(reg), o->operand, buf, len, rubric_for, &y, who(o),
                            clock_utc_now(), &n, &err);
    for (int i = 0; i < y.n; i++)
        rubric_destroy(y.r[i]);
    registry_close(reg);
    free(buf);
    if (rc < 0)
        return office_fail("%s; nothing was stored", err.msg);
    printf(_("%s: %" PRId64 " records stored.\n"), o->operand, n);
    return OFFICE_EXIT_OK;
}

int office_record(const office_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2)
            return office_usage(CMD, "say add, replace, reverse, list, template or import");
        print_help(stdout);
        return OFFICE_EXIT_OK;
    }
    const char *sub = argv[1];
    opts o;
    int status = OFFICE_EXIT_OK;
    if (parse(argc - 1, argv + 1, &o, &status) < 0)
        return status;
    if (strcmp(sub, "add") == 0)
        return run_add(ctx, &o);
    if (strcmp(sub, "replace") == 0 || strcmp(sub, "reverse") == 0)
        return run_correct(ctx, &o, sub);
    if (strcmp(sub, "list") == 0)
        return run_list(ctx, &o);
    if (strcmp(sub, "template") == 0)
        return run_template(ctx, &o);
    if (strcmp(sub, "import") == 0)
        return run_import(ctx, &o);
    return office_usage(CMD, "unknown subcommand \"%s\" (add, replace, reverse, list, template "
                             "or import)",
                        sub);
}
