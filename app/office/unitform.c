/* unitform.c - `minping-office units form`: a unit's registration form
 * (政府信息公开工作的主管部门、工作机构登记表, annex 2 of the assessment
 * notice) filled from the unit registry, as one self-contained HTML page
 * that prints on A4, one unit a page.  A detail the registry does not hold
 * is an empty box to fill in by hand.
 */
#include "office.h"

#include "fsutil.h"
#include "i18n.h"
#include "registry.h"
#include "unitreg.h"
#include "utf8.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "units form"

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] units form (--unit CODE | --all) [--out FILE]\n"
            "\n"
            "Writes the registration form of annex 2 of the assessment notice\n"
            "(政府信息公开工作的主管部门、工作机构登记表) from the unit registry: one\n"
            "self-contained HTML page that prints on A4, one unit a page.  Details the\n"
            "registry does not hold are left as empty boxes to fill in by hand.  Load\n"
            "them with minping-office units import.\n"
            "\n"
            "Options:\n"
            "  --unit CODE   the form of this unit\n"
            "  --all         the forms of every registered unit, by code\n"
            "  --out FILE    write to FILE (replaced atomically) instead of standard output\n"
            "  -h, --help    show this help\n"
            "\n"
            "Exit status: 0 written; 1 an error (no office database, an unknown unit, an\n"
            "empty registry, the output not writable: nothing written); 2 a mistake in\n"
            "the command line.\n"),
          f);
}

/* A table cell holding a registry value (colspan > 1 to span columns).  A
 * long value is set smaller, so that a form keeps to its one page even with
 * every detail at the registry's longest (64 characters, a 254-byte e-mail
 * address). */
static void td(FILE *f, const char *value, int colspan)
{
    /* Its width in half-width columns: a CJK character takes two. */
    size_t len = strlen(value), width = 0;
    for (const char *p = value; len > 0;) {
        uint32_t cp;
        size_t n = utf8_decode(p, len, &cp);
        if (n == 0)
            n = 1;
        width += n > 1 && cp >= 0x2E80 ? 2 : 1;
        p += n;
        len -= n;
    }
    size_t room = colspan > 1 ? 72 : 22; /* columns a line holds at the normal size */
    const char *size = width > 3 * room ? " class=\"s2\"" : width > room ? " class=\"s1\"" : "";
    if (colspan > 1)
        fprintf(f, "<td colspan=\"%d\"%s>", colspan, size);
    else
        fprintf(f, "<td%s>", size);
    office_html(f, value);
    fputs("</td>", f);
}

static const char CSS[] =
    "@page{size:A4;margin:22mm 20mm 20mm}"
    "*{box-sizing:border-box}"
    "body{margin:0;color:#000;font:16px/1.5 \"Noto Serif CJK SC\",\"Source Han Serif SC\","
    "\"SimSun\",serif}"
    ".form{width:170mm;margin:0 auto;break-after:page;page-break-after:always}"
    ".form:last-child{break-after:auto;page-break-after:auto}"
    ".annex{font:16px \"Noto Sans CJK SC\",\"SimHei\",sans-serif;margin:0 0 6mm}"
    "h1{font:bold 22px/1.4 \"Noto Sans CJK SC\",\"SimHei\",sans-serif;text-align:center;"
    "margin:0 0 8mm;letter-spacing:.04em}"
    ".unit{font-size:16px;margin:0 0 3mm}"
    ".unit b{font-weight:normal;display:inline-block;min-width:90mm;border-bottom:1px solid #000;"
    "padding:0 2mm}"
    "table{width:100%;border-collapse:collapse;table-layout:fixed}"
    "th,td{border:1px solid #000;height:13mm;padding:1mm 1.5mm;vertical-align:middle;"
    "overflow-wrap:anywhere}"
    "th{font-weight:normal;text-align:center}"
    "th.sec{letter-spacing:.1em}"
    "td{text-align:center;font-size:15px}"
    "td.s1{font-size:12px;line-height:1.3}td.s2{font-size:9.5px;line-height:1.25}"
    ".foot{margin-top:8mm;display:flex;justify-content:space-between;font-size:15px}"
    ".src{margin-top:10mm;font-size:11px;color:#555}"
    "@media screen{body{background:#e8e6e1;padding:10mm 0}.form{background:#fff;"
    "padding:18mm 20mm;width:210mm;min-height:297mm;margin:0 auto 10mm;"
    "box-shadow:0 1px 6px rgba(0,0,0,.2)}}";

/* The rows of one contact: 联系人N with name, office phone, mobile, e-mail, QQ. */
static void contact_rows(FILE *f, int which, const unitreg_contact *c)
{
    fprintf(f, "<tr><th class=\"sec\" rowspan=\"3\">联系人%d</th><th>姓名</th>", which);
    td(f, c->name, 1);
    fputs("<th>办公室电话</th>", f);
    td(f, c->office_phone, 1);
    fputs("</tr>\n<tr><th>手机</th>", f);
    td(f, c->mobile, 1);
    fputs("<th>电子邮箱</th>", f);
    td(f, c->email, 1);
    fputs("</tr>\n<tr><th>QQ</th>", f);
    td(f, c->qq, 3);
    fputs("</tr>\n", f);
}

static int write_form(void *user, const unitreg_form *u)
{
    FILE *f = user;
    fputs("<section class=\"form\">\n<p class=\"annex\">附件2</p>\n"
          "<h1>政府信息公开工作的主管部门、工作机构登记表</h1>\n"
          "<p class=\"unit\">单位（盖章）：<b>",
          f);
    office_html(f, u->name);
    fputs("</b></p>\n<table>\n<colgroup><col style=\"width:15%\"><col style=\"width:15%\">"
          "<col style=\"width:27%\"><col style=\"width:16%\"><col style=\"width:27%\">"
          "</colgroup>\n",
          f);
    fputs("<tr><th class=\"sec\" rowspan=\"2\">分管领导</th><th>姓名</th>", f);
    td(f, u->leader, 1);
    fputs("<th>职务</th>", f);
    td(f, u->leader_title, 1);
    fputs("</tr>\n<tr><th>联系电话</th>", f);
    td(f, u->leader_phone, 3);
    fputs("</tr>\n<tr><th class=\"sec\" rowspan=\"3\">主管部门</th><th>名称</th>", f);
    td(f, u->office, 3);
    fputs("</tr>\n<tr><th>负责人</th>", f);
    td(f, u->office_head, 1);
    fputs("<th>职务</th>", f);
    td(f, u->office_head_title, 1);
    fputs("</tr>\n<tr><th>联系电话</th>", f);
    td(f, u->office_head_phone, 3);
    fputs("</tr>\n", f);
    contact_rows(f, 1, &u->contact[0]);
    contact_rows(f, 2, &u->contact[1]);
    fputs("</table>\n<div class=\"foot\"><span>填表人：</span>"
          "<span>填表日期：　　　　年　　月　　日</span></div>\n<p class=\"src\">单位代码 ",
          f);
    office_html(f, u->code);
    if (*u->type) {
        fputs(" · ", f);
        office_html(f, u->type);
    }
    fputs(" · 由 Minping 单位名录生成；空格处请手工填写。</p>\n</section>\n", f);
    return ferror(f) ? 1 : 0;
}

enum { OPT_UNIT = 256, OPT_ALL, OPT_OUT };

int office_units_form(const office_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"unit", required_argument, NULL, OPT_UNIT},
        {"all", no_argument, NULL, OPT_ALL},
        {"out", required_argument, NULL, OPT_OUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *unit = NULL, *out = NULL;
    int all = 0;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_UNIT:
            if (!*optarg)
                return office_usage(CMD, "--unit needs a unit code");
            unit = optarg;
            break;
        case OPT_ALL: all = 1; break;
        case OPT_OUT:
            if (!*optarg)
                return office_usage(CMD, "--out needs a file name");
            out = optarg;
            break;
        case 'h': print_help(stdout); return OFFICE_EXIT_OK;
        default: return office_option_error(CMD, c, argv);
        }
    }
    if (optind < argc)
        return office_usage(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!unit == !all)
        return office_usage(CMD, "say --unit CODE or --all");

    mp_err err;
    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0)
        return office_fail("%s", err.msg);
    char *text = NULL;
    size_t len = 0, n = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        registry_close(reg);
        return office_fail("out of memory");
    }
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
          "政府信息公开工作的主管部门、工作机构登记表</title>\n<style>",
          f);
    fputs(CSS, f);
    fputs("</style>\n</head>\n<body>\n", f);
    int rc = unitreg_each_form(registry_sqlite(reg), unit, write_form, f, &n, &err);
    registry_close(reg);
    fputs("</body>\n</html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(text);
        return office_fail("out of memory while writing the forms");
    }
    if (rc < 0) {
        free(text);
        return office_fail("%s", err.msg);
    }
    if (n == 0) {
        free(text);
        if (unit)
            return office_fail("unit %s is not in the unit registry (minping-office units list "
                               "shows it)",
                               unit);
        return office_fail("the unit registry is empty: load it with minping-office units "
                           "import FILE.csv");
    }
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
