/* rubric.c - `minping-office rubric show|check [--year Y] [--rubric FILE]`:
 * prints the assessment rubric of a year (categories, items, sub-items,
 * points, kinds, targets, the office's settings) or checks it: each
 * category's total and every place where the notice's own numbers disagree. */
#include "office.h"

#include "i18n.h"
#include "rubricfind.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CMD "rubric"

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office rubric show|check [--year YYYY] [--rubric FILE]\n"
            "\n"
            "The assessment rubric (考核细则与评分标准, annex 1 of the notice) as data.\n"
            "\n"
            "show: every category, item and sub-item with its points, kind (评分: the\n"
            "office enters 0 to its points; 扣分: starts full, loses points per event;\n"
            "计数: a yearly count against a target by unit type; 民主测评: from the\n"
            "votes; 加分: outside the total), and the office's settings (折合 ratio,\n"
            "bonus maximum, grade thresholds, which votes count).\n"
            "check: each category's total and the sum, then every place where the\n"
            "rubric's own numbers disagree; exit status 0 when the file is well formed.\n"
            "\n"
            "Options:\n"
            "  --year YYYY     the rubric of that assessment year (default: show the\n"
            "                  latest; check every rubric found)\n"
            "  --rubric FILE   this rubric file instead of searching for one\n"
            "  -h, --help      show this help\n"
            "\n"
            "Rubrics are searched in $MINPING_RUBRIC_DIR, then in the folder \"rubric\"\n"
            "beside the office database, then among those shipped with Minping.  A new\n"
            "year's rubric is a copy of an older one with its year and changes.\n"
            "\n"
            "Exit status: 0 done; 1 no rubric, or a malformed one (the line is named);\n"
            "2 a mistake in the command line.\n"),
          f);
}

static void print_item(FILE *f, const rubric *r, const rubric_item *it)
{
    char pts[32], ev[32];
    rubric_fmt(it->points, pts, sizeof pts);
    rubric_fmt(it->per_event, ev, sizeof ev);
    for (int i = 1; i < it->depth; i++)
        fputs("  ", f);
    if (it->depth == 1)
        fprintf(f, "%s、%s（%s分）", it->id, it->name, pts);
    else
        fprintf(f, "%s", it->id);
    switch (it->kind) {
    case RUBRIC_CATEGORY:
    case RUBRIC_GROUP:
        if (it->depth != 1)
            fprintf(f, "（%s分）", pts);
        break;
    case RUBRIC_SCORE:
        fprintf(f, " [评分 0–%s分]", pts);
        break;
    case RUBRIC_DEDUCT:
        if (it->points == RUBRIC_NO_POINTS)
            fprintf(f, " [扣分 每次扣%s分，从%s中扣除，本小项未列分值]", ev,
                    rubric_at(r, (size_t)it->parent)->id);
        else
            fprintf(f, " [扣分 %s分，每次扣%s分，扣完为止]", pts, ev);
        break;
    case RUBRIC_COUNT: {
        fprintf(f, " [计数 %s分，目标：", pts);
        for (int t = 0; t < UNITREG_TYPES; t++) {
            if (it->target[t] > 0)
                fprintf(f, "%s%s %" PRId64 "%s", t ? "，" : "", UNITREG_TYPE_NAMES[t],
                        it->target[t], it->unit);
            else
                fprintf(f, "%s%s 未规定", t ? "，" : "", UNITREG_TYPE_NAMES[t]);
        }
        fputs("；不足按比例计分]", f);
        break;
    }
    case RUBRIC_VOTES:
        fputs(" [民主测评 非常满意 10，基本满意 8，一般 6，不满意 0：按年度投票计算]", f);
        break;
    case RUBRIC_BONUS: {
        char max[32];
        rubric_fmt(rubric_get_settings(r)->bonus_max, max, sizeof max);
        fprintf(f, " [加分 100分之外，每单位每年至多%s分]", max);
        break;
    }
    }
    if (*it->text && it->depth != 1)
        fprintf(f, " %s", it->text);
    else if (*it->text)
        fprintf(f, "\n  %s", it->text);
    fputc('\n', f);
}

/* The office's settings, as rubric show and the scorecards print them. */
void office_print_rubric_settings(FILE *f, const rubric *r)
{
    const rubric_settings *s = rubric_get_settings(r);
    char ratio[32], max[32];
    snprintf(ratio, sizeof ratio, "%" PRId64 ".%04" PRId64, s->ratio / 10000, s->ratio % 10000);
    rubric_fmt(s->bonus_max, max, sizeof max);
    fprintf(f, "%s\n", _("Settings (the office's; the notice names none):"));
    fprintf(f, "  折合 = 总分 × %s\n", ratio);
    fprintf(f, "  加分 ≤ %s\n", max);
    fputs("  考核等级意见：", f);
    for (int i = 0; i < s->n_grades; i++) {
        char g[32];
        rubric_fmt(s->grades[i].min, g, sizeof g);
        fprintf(f, "%s%s（总分 ≥ %s）", i ? "，" : "", s->grades[i].name, g);
    }
    fputc('\n', f);
    fprintf(f, "  民主测评：疑似刷票%s；渠道 ", s->include_flagged ? "计入" : "不计入");
    if (s->all_channels)
        fputs("全部", f);
    for (int i = 0; i < s->n_channels; i++)
        fprintf(f, "%s%s", i ? ", " : "", s->channels[i]);
    fputc('\n', f);
}

static int show(FILE *f, const char *path, const rubric *r)
{
    fprintf(f, "%s（%d）\n", rubric_title(r), rubric_year(r));
    if (*rubric_source(r))
        fprintf(f, "%s\n", rubric_source(r));
    fprintf(f, _("File: %s\n\n"), path);
    for (size_t i = 0; i < rubric_count(r); i++)
        print_item(f, r, rubric_at(r, i));
    fputc('\n', f);
    office_print_rubric_settings(f, r);
    return 0;
}

static int check(FILE *f, const char *path, const rubric *r, mp_err *err)
{
    rubric_finding *v = NULL;
    size_t n = 0;
    if (rubric_check(r, &v, &n, err) < 0)
        return -1;
    fprintf(f, _("%s (%d): well formed.\n"), path, rubric_year(r));
    int64_t sum = 0, attainable = 0;
    for (size_t i = 0; i < rubric_count(r); i++) {
        const rubric_item *it = rubric_at(r, i);
        if (it->depth != 1)
            continue;
        char p[32];
        rubric_fmt(it->points, p, sizeof p);
        fprintf(f, "  %s %s %s\n", it->id, it->name, p);
        sum += it->points;
        attainable += rubric_attainable(r, i);
    }
    char s[32], t[32], a[32];
    rubric_fmt(sum, s, sizeof s);
    rubric_fmt(rubric_total(r), t, sizeof t);
    rubric_fmt(attainable, a, sizeof a);
    fprintf(f, "  总分 %s\n", s);
    if (sum != rubric_total(r))
        fprintf(f, _("  (the rubric's total is %s)\n"), t);
    if (n == 0) {
        fprintf(f, _("The rubric's numbers agree with each other.\n"));
    } else {
        fprintf(f, _("Places where the notice's own numbers disagree: %zu (kept as the notice "
                     "gives them):\n"),
                n);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "  - %s\n", v[i].msg);
    }
    fprintf(f, _("At most %s of %s points can be earned (加分 apart).\n"), a, t);
    free(v);
    return 0;
}

typedef struct each_ctx {
    int count;
    int failed;
    mp_err *err;
} each_ctx;

static int check_each(void *user, const char *path, rubric *r)
{
    each_ctx *c = user;
    if (c->count++)
        fputc('\n', stdout);
    int rc = check(stdout, path, r, c->err);
    rubric_destroy(r);
    return rc;
}

enum { OPT_YEAR = 256, OPT_RUBRIC };

int office_rubric(const office_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, OPT_YEAR},
        {"rubric", required_argument, NULL, OPT_RUBRIC},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int year = 0;
    const char *path = NULL;
    mp_err err;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_YEAR:
            if (office_parse_year(optarg, &year, &err) < 0)
                return office_usage(CMD, "--year: %s", err.msg);
            break;
        case OPT_RUBRIC:
            if (!*optarg)
                return office_usage(CMD, "--rubric needs a file name");
            path = optarg;
            break;
        case 'h':
            print_help(stdout);
            return OFFICE_EXIT_OK;
        default:
            return office_option_error(CMD, c, argv);
        }
    }
    if (optind >= argc)
        return office_usage(CMD, "say \"show\" or \"check\"");
    const char *sub = argv[optind++];
    if (optind < argc)
        return office_usage(CMD, "unexpected argument \"%s\"", argv[optind]);
    int is_show = strcmp(sub, "show") == 0;
    if (!is_show && strcmp(sub, "check") != 0)
        return office_usage(CMD, "unknown subcommand \"%s\" (show or check)", sub);

    if (!is_show && !path && year == 0) {
        each_ctx e = {0, 0, &err};
        if (office_each_rubric(ctx, check_each, &e, &err) < 0)
            return office_fail("%s", err.msg);
        if (e.count == 0)
            return office_fail("no rubric found: name one with --rubric");
        return OFFICE_EXIT_OK;
    }
    rubric *r = NULL;
    if (office_load_rubric(ctx, path, year, &r, &err) < 0)
        return office_fail("%s", err.msg);
    int rc = is_show ? show(stdout, rubric_label(r), r) : check(stdout, rubric_label(r), r, &err);
    rubric_destroy(r);
    if (rc < 0)
        return office_fail("%s", err.msg);
    return OFFICE_EXIT_OK;
}
