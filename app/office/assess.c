/* assess.c - `minping-office assess --year Y [--unit CODE]
 * [--format table|csv|html|xlsx] [--out FILE]`: the year-end scorecard of
 * every unit (app/core/assess.h), as an aligned terminal table (with one
 * unit's working when --unit names it), an Excel-friendly CSV file, one
 * self-contained printable HTML page with every unit's working, or an xlsx
 * workbook (assess_xlsx.c).
 *
 * Every format lists the units by 名次 (then code) with the columns
 *
 *   单位代码, 单位名称, 单位类型, 一, 二, 三, 四, 五, 加分, 总分, 折合, 名次, 等级意见,
 *   类型内名次
 *
 * points with two decimals.
 */
#include "assess_out.h"

#include "clock.h"
#include "fsutil.h"
#include "i18n.h"
#include "interval.h"
#include "registry.h"
#include "rubricfind.h"
#include "utf8.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CMD "assess"

const char *const ASSESS_COLUMNS[ASSESS_N_COLUMNS] = {
    "单位代码", "单位名称", "单位类型", "一", "二", "三", "四", "五",
    "加分", "总分", "折合", "名次", "等级意见", "类型内名次"};

/* ---- shared helpers (assess_out.h) ---- */

int assess_out_category(const rubric *r, int which)
{
    int seen = 0;
    for (size_t i = 0; i < rubric_count(r); i++)
        if (rubric_at(r, i)->depth == 1 && seen++ == which)
            return (int)i;
    return -1;
}

static int by_rank(const void *a, const void *b)
{
    const assess_unit *x = *(const assess_unit *const *)a, *y = *(const assess_unit *const *)b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    return strcmp(x->code, y->code);
}

const assess_unit **assess_out_order(const assess_result *res)
{
    const assess_unit **v = malloc((res->n_units ? res->n_units : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < res->n_units; i++)
        v[i] = &res->units[i];
    qsort(v, res->n_units, sizeof *v, by_rank);
    return v;
}

void assess_out_cells(const rubric *r, const assess_unit *u, char cells[][48])
{
    snprintf(cells[0], 48, "%s", "");
    for (int c = 0; c < 5; c++) {
        int k = assess_out_category(r, c);
        if (k >= 0)
            rubric_fmt2(u->items[k].earned, cells[3 + c], 48);
        else
            snprintf(cells[3 + c], 48, "%s", "");
    }
    rubric_fmt2(u->bonus, cells[8], 48);
    rubric_fmt2(u->total, cells[9], 48);
    rubric_fmt2(u->scaled, cells[10], 48);
    snprintf(cells[11], 48, "%d", u->rank);
    snprintf(cells[13], 48, "%d", u->rank_in_type);
}

const char *assess_out_cell(const assess_unit *u, char cells[][48], int col)
{
    switch (col) {
    case 0: return u->code;
    case 1: return u->name;
    case 2: return u->type;
    case 12: return u->grade;
    default: return cells[col];
    }
}

const char *assess_out_state(const assess_rec *rec, char *buf, size_t len)
{
    switch (rec->state) {
    case ASSESS_COUNTED: snprintf(buf, len, "计入"); break;
    case ASSESS_DROPPED:
        snprintf(buf, len, "从重未计（同一事项按 #%" PRId64 " 扣分）", rec->other);
        break;
    case ASSESS_SUPERSEDED: snprintf(buf, len, "未计（以 #%" PRId64 " 评分为准）", rec->other); break;
    case ASSESS_CORRECTED: snprintf(buf, len, "已被 #%" PRId64 " 更正", rec->other); break;
    case ASSESS_REVERSAL: snprintf(buf, len, "撤销 #%" PRId64, rec->other); break;
    }
    return buf;
}

void assess_out_amount(const assess_rec *rec, char *buf, size_t len)
{
    char p[32];
    rubric_fmt(rec->points, p, sizeof p);
    if (strcmp(rec->kind, "score") == 0)
        snprintf(buf, len, "评分 %s", p);
    else if (strcmp(rec->kind, "count") == 0)
        snprintf(buf, len, "计数 %" PRId64, rec->count);
    else if (strcmp(rec->kind, "bonus") == 0)
        snprintf(buf, len, "加分 %s", p);
    else if (rec->points >= 0 && rec->count > 1)
        snprintf(buf, len, "扣 %s（%" PRId64 " 次）", p, rec->count);
    else if (rec->points >= 0)
        snprintf(buf, len, "扣 %s", p);
    else
        snprintf(buf, len, "撤销");
}

void assess_out_working(const rubric *r, const assess_unit *u, size_t k, char *buf, size_t len)
{
    const rubric_item *it = rubric_at(r, k);
    const assess_item *ai = &u->items[k];
    char e[32], p[32], d[32];
    rubric_fmt2(ai->earned, e, sizeof e);
    rubric_fmt(it->points, p, sizeof p);
    rubric_fmt(ai->deducted, d, sizeof d);
    buf[0] = '\0';
    switch (it->kind) {
    case RUBRIC_SCORE:
        snprintf(buf, len, ai->assessed ? "评定 %s" : "未评定，计 0", e);
        break;
    case RUBRIC_COUNT:
        if (ai->target <= 0)
            snprintf(buf, len, "全年 %" PRId64 "%s；未规定%s的目标数，计 0", ai->count, it->unit,
                     *u->type ? u->type : "（未登记类型）单位");
        else if (ai->count >= ai->target)
            snprintf(buf, len, "全年 %" PRId64 "%s ≥ 目标 %" PRId64 "%s，得满分 %s", ai->count,
                     it->unit, ai->target, it->unit, p);
        else {
            char q[64];
            score_format_quotient(it->points * ai->count, ai->target * 100, 4, q, sizeof q);
            snprintf(buf, len, "全年 %" PRId64 "%s，目标 %" PRId64 "%s：%s × %" PRId64 " ÷ %" PRId64
                     " = %s，四舍五入得 %s",
                     ai->count, it->unit, ai->target, it->unit, p, ai->count, ai->target, q, e);
        }
        break;
    case RUBRIC_DEDUCT:
        if (it->points == RUBRIC_NO_POINTS)
            snprintf(buf, len, "扣 %s，从 %s 中扣除", d, rubric_at(r, (size_t)it->parent)->id);
        else if (ai->deducted > it->points)
            snprintf(buf, len, "%s − %s，扣完为止，得 0", p, d);
        else
            snprintf(buf, len, "%s − %s = %s", p, d, e);
        break;
    case RUBRIC_VOTES: {
        const assess_votes *v = &u->votes;
        if (v->s.votes == 0) {
            snprintf(buf, len, "本年度无有效票，计 0");
            break;
        }
        char q[64], s[SCORE_TEXT_MAX];
        score_format_quotient(v->s.points, v->s.votes, 4, q, sizeof q);
        score_format(&v->s, s, sizeof s);
        score_interval iv;
        char ivt[INTERVAL_TEXT_MAX];
        interval_of_score(&v->s, &iv);
        interval_format(&iv, ivt, sizeof ivt);
        snprintf(buf, len,
                 "(10×%" PRId64 " + 8×%" PRId64 " + 6×%" PRId64 " + 0×%" PRId64 ") ÷ %" PRId64
                 " = %" PRId64 " ÷ %" PRId64 " = %s，四舍五入得 %s；95%%区间 %s%s",
                 v->counts[0], v->counts[1], v->counts[2], v->counts[3], v->s.votes, v->s.points,
                 v->s.votes, q, s, ivt,
                 interval_few_votes(&v->s) ? "（有效票少于30，得分的偶然性大）" : "");
        if (v->excluded_left_out > 0) {
            size_t used = strlen(buf);
            snprintf(buf + used, len - used, "（另有复核排除 %" PRId64 " 票，不计入）",
                     v->excluded_left_out);
        }
        break;
    }
    case RUBRIC_BONUS: {
        char c[32], m[32];
        rubric_fmt(u->bonus_claimed, c, sizeof c);
        rubric_fmt(rubric_get_settings(r)->bonus_max, m, sizeof m);
        if (u->bonus_claimed > rubric_get_settings(r)->bonus_max)
            snprintf(buf, len, "加分合计 %s，超过上限 %s，计 %s（100分之外）", c, m, e);
        else
            snprintf(buf, len, "加分合计 %s（上限 %s，100分之外）", c, m);
        break;
    }
    case RUBRIC_CATEGORY:
    case RUBRIC_GROUP: {
        int64_t sum = 0;
        for (size_t j = k + 1; j < rubric_count(r); j++)
            if (rubric_at(r, j)->parent == (int)k && rubric_at(r, j)->points != RUBRIC_NO_POINTS)
                sum += u->items[j].earned;
        char s[32];
        rubric_fmt(sum, s, sizeof s);
        size_t n = 0;
        if (sum > it->points)
            n = (size_t)snprintf(buf, len, "小项合计 %s，超过本项分值，计 %s", s, p);
        else
            n = (size_t)snprintf(buf, len, "小项合计 %s", s);
        if (ai->deducted > 0 && n < len)
            snprintf(buf + n, len - n, "；扣 %s%s，得 %s", d,
                     ai->deducted >= (sum > it->points ? it->points : sum) ? "，扣完为止" : "", e);
        break;
    }
    }
}

/* ---- table ---- */

/* Terminal columns of s: 2 for CJK and fullwidth characters. */
static int width(const char *s)
{
    int w = 0;
    size_t len = strlen(s);
    while (len > 0) {
        uint32_t cp;
        size_t n = utf8_decode(s, len, &cp);
        if (n == 0) {
            n = 1;
            cp = '?';
        }
        w += (cp >= 0x1100 && (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                               (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                               (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                               (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000))
                 ? 2
                 : 1;
        s += n;
        len -= n;
    }
    return w;
}

static void padded(FILE *f, const char *s, int w, int right)
{
    int gap = w - width(s);
    for (int i = 0; right && i < gap; i++)
        fputc(' ', f);
    fputs(s, f);
    for (int i = 0; !right && i < gap; i++)
        fputc(' ', f);
}

static void write_working_text(FILE *f, const rubric *r, const assess_unit *u)
{
    fprintf(f, "\n%s %s（%s）  总分 ", u->code, u->name, *u->type ? u->type : "未登记类型");
    char t[32], s[32];
    rubric_fmt2(u->total, t, sizeof t);
    rubric_fmt2(u->scaled, s, sizeof s);
    fprintf(f, "%s  折合 %s  名次 %d（%s内 %d）  %s\n", t, s, u->rank,
            *u->type ? u->type : "同类", u->rank_in_type, u->grade);
    for (size_t k = 0; k < rubric_count(r); k++) {
        const rubric_item *it = rubric_at(r, k);
        char e[32], p[32], w[512];
        rubric_fmt2(u->items[k].earned, e, sizeof e);
        rubric_fmt(it->points, p, sizeof p);
        assess_out_working(r, u, k, w, sizeof w);
        for (int i = 1; i < it->depth; i++)
            fputs("  ", f);
        if (it->kind == RUBRIC_BONUS)
            fprintf(f, "%s  %s  %s\n", it->id, e, w);
        else if (it->points == RUBRIC_NO_POINTS)
            fprintf(f, "%s  —  %s\n", it->id, w);
        else
            fprintf(f, "%s  %s / %s  %s\n", it->id, e, p, w);
        for (size_t i = 0; i < u->n_recs; i++) {
            const assess_rec *rec = &u->recs[i];
            if (strcmp(rec->item, it->id) != 0)
                continue;
            char a[64], st[96];
            assess_out_amount(rec, a, sizeof a);
            for (int d = 0; d < it->depth + 1; d++)
                fputs("  ", f);
            fprintf(f, "#%" PRId64 " %s %s%s%s  %s%s%s  %s  [%s]\n", rec->id, rec->date, a,
                    *rec->matter ? " 事项 " : "", rec->matter, rec->reason,
                    *rec->evidence ? "  依据 " : "", rec->evidence, rec->by,
                    assess_out_state(rec, st, sizeof st));
        }
    }
}

static void write_table(FILE *f, const rubric *r, const assess_result *res, const char *only)
{
    fprintf(f, "%d年度 政府信息公开目标管理考核结果  （%s）\n\n", res->year, rubric_title(r));
    const assess_unit **order = assess_out_order(res);
    if (!order)
        return;
    int w[ASSESS_N_COLUMNS];
    for (int c = 0; c < ASSESS_N_COLUMNS; c++)
        w[c] = width(ASSESS_COLUMNS[c]);
    for (size_t i = 0; i < res->n_units; i++) {
        char cells[ASSESS_N_COLUMNS][48];
        assess_out_cells(r, order[i], cells);
        for (int c = 0; c < ASSESS_N_COLUMNS; c++) {
            int x = width(assess_out_cell(order[i], cells, c));
            if (x > w[c])
                w[c] = x;
        }
    }
    for (int c = 0; c < ASSESS_N_COLUMNS; c++) {
        padded(f, ASSESS_COLUMNS[c], w[c], c >= 3 && c != 12);
        fputs(c + 1 < ASSESS_N_COLUMNS ? "  " : "\n", f);
    }
    for (size_t i = 0; i < res->n_units; i++) {
        char cells[ASSESS_N_COLUMNS][48];
        assess_out_cells(r, order[i], cells);
        for (int c = 0; c < ASSESS_N_COLUMNS; c++) {
            padded(f, assess_out_cell(order[i], cells, c), w[c], c >= 3 && c != 12);
            fputs(c + 1 < ASSESS_N_COLUMNS ? "  " : "\n", f);
        }
    }
    if (res->n_units == 0)
        fputs("（单位名录为空：用 minping-office units import 导入单位名录）\n", f);
    fputc('\n', f);
    office_print_rubric_settings(f, r);
    if (only)
        for (size_t i = 0; i < res->n_units; i++)
            write_working_text(f, r, &res->units[i]);
    free(order);
}

/* ---- CSV ---- */

static void write_csv(FILE *f, const rubric *r, const assess_result *res)
{
    fputs("\xEF\xBB\xBF", f);
    for (int c = 0; c < ASSESS_N_COLUMNS; c++) {
        office_csv_field(f, ASSESS_COLUMNS[c], 1);
        fputs(c + 1 < ASSESS_N_COLUMNS ? "," : "\r\n", f);
    }
    const assess_unit **order = assess_out_order(res);
    if (!order)
        return;
    for (size_t i = 0; i < res->n_units; i++) {
        char cells[ASSESS_N_COLUMNS][48];
        assess_out_cells(r, order[i], cells);
        for (int c = 0; c < ASSESS_N_COLUMNS; c++) {
            office_csv_field(f, assess_out_cell(order[i], cells, c), c < 3 || c == 12);
            fputs(c + 1 < ASSESS_N_COLUMNS ? "," : "\r\n", f);
        }
    }
    free(order);
}

/* ---- HTML ---- */

static const char CSS[] =
    "body{margin:0;background:#eee;color:#1a1a1a;font:15px/1.6 \"Noto Sans CJK SC\","
    "\"Microsoft YaHei\",\"PingFang SC\",sans-serif}"
    ".page{max-width:1100px;margin:20px auto;background:#fff;padding:36px 44px;"
    "box-shadow:0 1px 6px rgba(0,0,0,.15)}"
    "header{text-align:center;border-bottom:3px solid #b8000b;padding-bottom:10px}"
    ".org{color:#b8000b;font:bold 30px/1.3 \"Noto Serif CJK SC\",\"SimSun\",serif;"
    "letter-spacing:.2em}"
    ".sub{color:#555;font-size:14px;margin-top:4px}"
    "h1{text-align:center;font-size:22px;margin:22px 0 4px}"
    ".meta{text-align:center;color:#666;font-size:13px;margin:4px 0 0}"
    "h2{font-size:18px;margin:30px 0 10px;padding-left:12px;border-left:5px solid #b8000b}"
    "h3{font-size:16px;margin:0}"
    "table{width:100%;border-collapse:collapse;font-size:13.5px;margin:6px 0}"
    "th{background:#f4ecec;color:#5a0000;border:1px solid #c9b3b3;padding:5px 6px;"
    "white-space:nowrap}"
    "td{border:1px solid #d2cccc;padding:4px 7px;vertical-align:top}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "td.c{text-align:center;white-space:nowrap}"
    "td.s{text-align:right;font-weight:bold;color:#9a0008;white-space:nowrap}"
    ".note{font-size:13.5px;color:#444;margin:6px 0}"
    ".box{padding:8px 14px;margin:8px 0;font-size:13.5px;border-left:4px solid #d98e04;"
    "background:#fff6e5}"
    ".unit{border-top:3px solid #b8000b;margin-top:26px;padding-top:8px}"
    ".unit-head{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap}"
    ".total{font-size:20px;font-weight:bold;color:#9a0008}"
    "tr.cat td{background:#f7f1ea;font-weight:bold}"
    "tr.rec td{font-size:12.5px;color:#333;background:#fcfcfc}"
    "tr.rec.off td{color:#888;text-decoration:line-through}"
    "tr.rec.off td.st{text-decoration:none;color:#a35200}"
    ".w{color:#444;font-size:12.5px}"
    "footer{margin-top:30px;border-top:1px solid #ddd;color:#777;font-size:12px;"
    "text-align:center;padding-top:8px}"
    "@media print{body{background:#fff}.page{box-shadow:none;margin:0;max-width:none;padding:0}"
    ".unit{break-before:page}}"
    "@page{size:A4;margin:14mm}";

static void write_unit_html(FILE *f, const rubric *r, const assess_unit *u)
{
    char t[32], s[32];
    rubric_fmt2(u->total, t, sizeof t);
    rubric_fmt2(u->scaled, s, sizeof s);
    fputs("<section class=\"unit\"><div class=\"unit-head\"><h3>", f);
    office_html(f, u->name);
    fputs("（", f);
    office_html(f, u->code);
    fputs("，", f);
    office_html(f, *u->type ? u->type : "未登记类型");
    fprintf(f, "）</h3><span class=\"total\">总分 %s · 折合 %s · 名次 %d（类型内 %d） · ", t, s,
            u->rank, u->rank_in_type);
    office_html(f, u->grade);
    fputs("</span></div>\n<table><thead><tr><th>项目</th><th>考核内容</th><th>分值</th><th>得分</th>"
          "<th>计分过程</th></tr></thead><tbody>\n",
          f);
    for (size_t k = 0; k < rubric_count(r); k++) {
        const rubric_item *it = rubric_at(r, k);
        char e[32], p[32], w[512];
        rubric_fmt2(u->items[k].earned, e, sizeof e);
        rubric_fmt(it->points, p, sizeof p);
        assess_out_working(r, u, k, w, sizeof w);
        fprintf(f, "<tr%s><td class=\"c\">%s</td><td>", it->depth == 1 ? " class=\"cat\"" : "",
                it->id);
        office_html(f, it->depth == 1 ? it->name : it->text);
        fprintf(f, "</td><td class=\"n\">%s</td><td class=\"s\">%s</td><td class=\"w\">",
                it->kind == RUBRIC_BONUS ? "" : (it->points == RUBRIC_NO_POINTS ? "—" : p),
                it->kind != RUBRIC_BONUS && it->points == RUBRIC_NO_POINTS ? "—" : e);
        office_html(f, w);
        fputs("</td></tr>\n", f);
        for (size_t i = 0; i < u->n_recs; i++) {
            const assess_rec *rec = &u->recs[i];
            if (strcmp(rec->item, it->id) != 0)
                continue;
            char a[64], st[96];
            assess_out_amount(rec, a, sizeof a);
            fprintf(f, "<tr class=\"rec%s\"><td class=\"c\">#%" PRId64 "</td><td>%s ",
                    rec->state == ASSESS_COUNTED ? "" : " off", rec->id, rec->date);
            office_html(f, rec->reason);
            if (*rec->evidence) {
                fputs("（依据：", f);
                office_html(f, rec->evidence);
                fputs("）", f);
            }
            if (*rec->matter) {
                fputs(" 事项 ", f);
                office_html(f, rec->matter);
            }
            fputs(" · 录入 ", f);
            office_html(f, rec->by);
            fputs("</td><td class=\"n\" colspan=\"2\">", f);
            office_html(f, a);
            fputs("</td><td class=\"st\">", f);
            office_html(f, assess_out_state(rec, st, sizeof st));
            fputs("</td></tr>\n", f);
        }
    }
    fputs("</tbody></table></section>\n", f);
}

static void write_html(FILE *f, const rubric *r, const assess_result *res, const char *db_path,
                       int64_t now)
{
    char when[32];
    office_format_time(now, when, sizeof when);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<title>%d年度政府信息公开目标管理考核结果</title>\n<style>%s</style>\n</head>\n"
               "<body>\n<div class=\"page\">\n",
            res->year, CSS);
    fprintf(f, "<header><div class=\"org\">%d年度政府信息公开目标管理考核</div>"
               "<div class=\"sub\">",
            res->year);
    office_html(f, rubric_title(r));
    fputs("</div></header>\n<h1>考核结果汇总</h1>\n<p class=\"meta\">考核年度 ", f);
    fprintf(f, "%d年1月1日至%d年12月31日 · 生成时间 ", res->year, res->year);
    office_html(f, when);
    fputs(" · 数据库 ", f);
    office_html(f, db_path);
    fputs(" · 考核细则 ", f);
    office_html(f, rubric_label(r));
    fputs("</p>\n", f);

    const rubric_settings *set = rubric_get_settings(r);
    char ratio[32], max[32];
    snprintf(ratio, sizeof ratio, "%" PRId64 ".%04" PRId64, set->ratio / 10000,
             set->ratio % 10000);
    rubric_fmt(set->bonus_max, max, sizeof max);
    fputs("<h2>一、计分规则</h2>\n<p class=\"note\">各考核项目的分值扣完为止，不实行倒扣分；"
          "同一事项涉及多处扣分的，按从重原则只计最重的一项（其余在各单位计分过程中标为“从重未计”）；"
          "计数项按单位类型的年度目标数计分，不足按比例计；第五项民主测评为本年度投票的民主测评得分"
          "（与民主测评结果报告相同）；加分在100分之外。总分 = 一 + 二 + 三 + 四 + 五 + 加分。</p>\n",
          f);
    fprintf(f, "<p class=\"note\">电子政务办的设置（通知未作规定）：折合 = 总分 × %s；加分上限 %s 分；"
               "民主测评疑似刷票%s；考核等级意见：",
            ratio, max, set->include_flagged ? "计入" : "不计入");
    for (int i = 0; i < set->n_grades; i++) {
        char g[32];
        rubric_fmt(set->grades[i].min, g, sizeof g);
        fputs(i ? "，" : "", f);
        office_html(f, set->grades[i].name);
        fprintf(f, " 总分 ≥ %s", g);
    }
    fputs("。</p>\n", f);
    rubric_finding *fd = NULL;
    size_t nfd = 0;
    if (rubric_check(r, &fd, &nfd, NULL) == 0 && nfd > 0) {
        fputs("<div class=\"box\">考核细则按通知原文保留以下不一致之处：<ul>", f);
        for (size_t i = 0; i < nfd; i++) {
            fputs("<li>", f);
            office_html(f, fd[i].msg);
            fputs("</li>", f);
        }
        fputs("</ul></div>\n", f);
    }
    free(fd);

    fputs("<h2>二、考核结果</h2>\n<table><thead><tr>", f);
    for (int c = 0; c < ASSESS_N_COLUMNS; c++)
        fprintf(f, "<th>%s</th>", ASSESS_COLUMNS[c]);
    fputs("</tr></thead><tbody>\n", f);
    const assess_unit **order = assess_out_order(res);
    for (size_t i = 0; order && i < res->n_units; i++) {
        char cells[ASSESS_N_COLUMNS][48];
        assess_out_cells(r, order[i], cells);
        fputs("<tr>", f);
        for (int c = 0; c < ASSESS_N_COLUMNS; c++) {
            fputs(c < 3 || c == 12 ? "<td>" : (c == 9 ? "<td class=\"s\">" : "<td class=\"n\">"), f);
            office_html(f, assess_out_cell(order[i], cells, c));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n<h2>三、各单位计分过程</h2>\n<p class=\"note\">每个考核项目下列出"
          "其平时记录（编号、日期、理由、依据、录入人、状态）；划线的记录未计入。</p>\n",
          f);
    for (size_t i = 0; order && i < res->n_units; i++)
        write_unit_html(f, r, order[i]);
    free(order);
    fputs("<footer>本考核结果由 Minping 民评 生成 · 各项得分均可按计分过程手工复核</footer>\n"
          "</div>\n</body>\n</html>\n",
          f);
}

/* ---- the command ---- */

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] assess --year YYYY [--unit CODE]\n"
            "         [--format table|csv|html|xlsx] [--out FILE] [--rubric FILE]\n"
            "\n"
            "The year-end scorecard: every registered unit's points on every item of the\n"
            "year's rubric, from the year's records (minping-office record) and votes:\n"
            "categories 一 to 五, 加分 (outside the 100), 总分, 折合, 名次 overall and\n"
            "within the unit type, and the proposed grade (等级意见).  An item never goes\n"
            "below 0; deductions of one matter count once, the heaviest; counts score pro\n"
            "rata below the target of the unit's type; 五 is the report's 民主测评得分.\n"
            "\n"
            "Options:\n"
            "  --year YYYY     the assessment year (1 January to 31 December); required\n"
            "  --unit CODE     only this unit (its ranks are still among all units); the\n"
            "                  table then shows its working, item by item\n"
            "  --format FORMAT table (default), csv (UTF-8 with a byte-order mark, CRLF),\n"
            "                  html (one self-contained printable page with every unit's\n"
            "                  working) or xlsx (a summary sheet and one sheet per unit;\n"
            "                  needs --out)\n"
            "  --out FILE      write to FILE (replaced atomically) instead of standard\n"
            "                  output\n"
            "  --rubric FILE   this rubric instead of the year's\n"
            "  -h, --help      show this help\n"
            "\n"
            "Exit status: 0 written; 1 an error; 2 a mistake in the command line.\n"),
          f);
}

enum { OPT_YEAR = 256, OPT_UNIT, OPT_FORMAT, OPT_OUT, OPT_RUBRIC };

int office_assess(const office_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, OPT_YEAR},
        {"unit", required_argument, NULL, OPT_UNIT},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"out", required_argument, NULL, OPT_OUT},
        {"rubric", required_argument, NULL, OPT_RUBRIC},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int year = 0;
    const char *unit = NULL, *out = NULL, *rubric_path = NULL, *format = "table";
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
        case OPT_UNIT: unit = optarg; break;
        case OPT_FORMAT: format = optarg; break;
        case OPT_OUT:
            if (!*optarg)
                return office_usage(CMD, "--out needs a file name");
            out = optarg;
            break;
        case OPT_RUBRIC: rubric_path = optarg; break;
        case 'h':
            print_help(stdout);
            return OFFICE_EXIT_OK;
        default:
            return office_option_error(CMD, c, argv);
        }
    }
    if (optind < argc)
        return office_usage(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!year)
        return office_usage(CMD, "--year is required");
    if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "html") &&
        strcmp(format, "xlsx"))
        return office_usage(CMD, "--format \"%s\": say table, csv, html or xlsx", format);
    if (strcmp(format, "xlsx") == 0 && !out)
        return office_usage(CMD, "--format xlsx needs --out FILE.xlsx");

    rubric *r = NULL;
    if (office_load_rubric(ctx, rubric_path, year, &r, &err) < 0)
        return office_fail("%s", err.msg);
    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0) {
        rubric_destroy(r);
        return office_fail("%s", err.msg);
    }
    assess_result *res = NULL;
    int rc = assess_compute(registry_sqlite(reg), r, year, unit, &res, &err);
    registry_close(reg);
    if (rc < 0) {
        rubric_destroy(r);
        return office_fail("%s", err.msg);
    }
    int status = OFFICE_EXIT_OK;
    if (strcmp(format, "xlsx") == 0) {
        if (assess_write_xlsx(out, r, res, &err) < 0)
            status = office_fail("%s", err.msg);
    } else {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f) {
            status = office_fail("out of memory");
        } else {
            if (strcmp(format, "csv") == 0)
                write_csv(f, r, res);
            else if (strcmp(format, "html") == 0)
                write_html(f, r, res, ctx->db_path, clock_utc_now());
            else
                write_table(f, r, res, unit);
            int bad = ferror(f);
            if (fclose(f) != 0 || bad)
                status = office_fail("out of memory while writing the scorecard");
            else if (out && fs_write_atomic(out, text, len, 0644, &err) < 0)
                status = office_fail("%s", err.msg);
            else if (!out && fwrite(text, 1, len, stdout) != len)
                status = office_fail("cannot write to standard output: %s", strerror(errno));
            free(text);
        }
    }
    assess_free(res);
    rubric_destroy(r);
    return status;
}
