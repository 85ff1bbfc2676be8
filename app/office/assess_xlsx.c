/* assess_xlsx.c - the scorecard as an xlsx workbook (libxlsxwriter): a
 * summary sheet 汇总 (the scorecard's columns; points, ranks as numbers) and
 * one sheet per unit with its working and its records.  Written to a
 * temporary file, then put in place with fs_write_atomic. */
#include "assess_out.h"

#include "fsutil.h"
#include "i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

static double points(int64_t hundredths)
{
    return (double)hundredths / 100.0;
}

/* Column 3-11: numbers; 11 and 13 whole numbers; the rest text. */
static void summary(lxw_workbook *wb, lxw_worksheet *ws, const rubric *r,
                    const assess_result *res, lxw_format *head, lxw_format *num, lxw_format *whole)
{
    (void)wb;
    for (int c = 0; c < ASSESS_N_COLUMNS; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, ASSESS_COLUMNS[c], head);
    worksheet_set_column(ws, 0, 0, 12, NULL);
    worksheet_set_column(ws, 1, 1, 26, NULL);
    worksheet_set_column(ws, 2, 2, 14, NULL);
    worksheet_set_column(ws, 3, 13, 9, NULL);
    const assess_unit **order = assess_out_order(res);
    for (size_t i = 0; order && i < res->n_units; i++) {
        const assess_unit *u = order[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        worksheet_write_string(ws, row, 0, u->code, NULL);
        worksheet_write_string(ws, row, 1, u->name, NULL);
        worksheet_write_string(ws, row, 2, u->type, NULL);
        for (int c = 0; c < 5; c++) {
            int k = assess_out_category(r, c);
            worksheet_write_number(ws, row, (lxw_col_t)(3 + c),
                                   k >= 0 ? points(u->items[k].earned) : 0, num);
        }
        worksheet_write_number(ws, row, 8, points(u->bonus), num);
        worksheet_write_number(ws, row, 9, points(u->total), num);
        worksheet_write_number(ws, row, 10, points(u->scaled), num);
        worksheet_write_number(ws, row, 11, u->rank, whole);
        worksheet_write_string(ws, row, 12, u->grade, NULL);
        worksheet_write_number(ws, row, 13, u->rank_in_type, whole);
    }
    free((void *)order);
}

static void unit_sheet(lxw_worksheet *ws, const rubric *r, const assess_unit *u, lxw_format *head,
                       lxw_format *num, lxw_format *whole)
{
    char title[256];
    snprintf(title, sizeof title, "%s（%s，%s）", u->name, u->code,
             *u->type ? u->type : "未登记类型");
    worksheet_write_string(ws, 0, 0, title, head);
    static const char *const facts[] = {"总分", "折合", "名次", "类型内名次", "等级意见"};
    for (int c = 0; c < 5; c++)
        worksheet_write_string(ws, 1, (lxw_col_t)c, facts[c], head);
    worksheet_write_number(ws, 2, 0, points(u->total), num);
    worksheet_write_number(ws, 2, 1, points(u->scaled), num);
    worksheet_write_number(ws, 2, 2, u->rank, whole);
    worksheet_write_number(ws, 2, 3, u->rank_in_type, whole);
    worksheet_write_string(ws, 2, 4, u->grade, NULL);

    static const char *const cols[] = {"项目", "考核内容", "分值", "得分", "计分过程"};
    for (int c = 0; c < 5; c++)
        worksheet_write_string(ws, 4, (lxw_col_t)c, cols[c], head);
    lxw_row_t row = 5;
    for (size_t k = 0; k < rubric_count(r); k++, row++) {
        const rubric_item *it = rubric_at(r, k);
        char w[512];
        assess_out_working(r, u, k, w, sizeof w);
        worksheet_write_string(ws, row, 0, it->id, NULL);
        worksheet_write_string(ws, row, 1, it->depth == 1 ? it->name : it->text, NULL);
        if (it->points != RUBRIC_NO_POINTS)
            worksheet_write_number(ws, row, 2, points(it->points), num);
        if (it->points != RUBRIC_NO_POINTS || it->kind == RUBRIC_BONUS)
            worksheet_write_number(ws, row, 3, points(u->items[k].earned), num);
        worksheet_write_string(ws, row, 4, w, NULL);
    }
    row++;
    static const char *const rcols[] = {"编号", "日期", "项目", "类别", "分值", "数量",
                                        "事项编号", "理由", "依据", "录入人", "状态"};
    for (int c = 0; c < 11; c++)
        worksheet_write_string(ws, row, (lxw_col_t)c, rcols[c], head);
    row++;
    for (size_t i = 0; i < u->n_recs; i++, row++) {
        const assess_rec *rec = &u->recs[i];
        char st[96];
        worksheet_write_number(ws, row, 0, (double)rec->id, whole);
        worksheet_write_string(ws, row, 1, rec->date, NULL);
        worksheet_write_string(ws, row, 2, rec->item, NULL);
        worksheet_write_string(ws, row, 3, rec->kind, NULL);
        if (rec->points >= 0)
            worksheet_write_number(ws, row, 4, points(rec->points), num);
        if (rec->count >= 0)
            worksheet_write_number(ws, row, 5, (double)rec->count, whole);
        worksheet_write_string(ws, row, 6, rec->matter, NULL);
        worksheet_write_string(ws, row, 7, rec->reason, NULL);
        worksheet_write_string(ws, row, 8, rec->evidence, NULL);
        worksheet_write_string(ws, row, 9, rec->by, NULL);
        worksheet_write_string(ws, row, 10, assess_out_state(rec, st, sizeof st), NULL);
    }
    worksheet_set_column(ws, 0, 0, 10, NULL);
    worksheet_set_column(ws, 1, 1, 48, NULL);
    worksheet_set_column(ws, 2, 3, 9, NULL);
    worksheet_set_column(ws, 4, 4, 60, NULL);
}

int assess_write_xlsx(const char *path, const rubric *r, const assess_result *res, mp_err *err)
{
    const char *tmpdir = getenv("TMPDIR");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/minping-assess-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return mp_fail(err, "cannot make a temporary file in %s: %s",
                       tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(tmp, &opt);
    if (!wb) {
        unlink(tmp);
        return mp_fail(err, "out of memory");
    }
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xF4ECEC);
    lxw_format *num = workbook_add_format(wb);
    format_set_num_format(num, "0.00");
    lxw_format *whole = workbook_add_format(wb);
    format_set_num_format(whole, "0");
    lxw_worksheet *ws = workbook_add_worksheet(wb, "汇总");
    if (!ws) {
        workbook_close(wb);
        unlink(tmp);
        return mp_fail(err, "out of memory");
    }
    summary(wb, ws, r, res, head, num, whole);
    const assess_unit **order = assess_out_order(res);
    for (size_t i = 0; order && i < res->n_units; i++) {
        /* A sheet name has at most 31 characters: longer codes are cut and
         * numbered. */
        char name[64];
        if (strlen(order[i]->code) <= 31)
            snprintf(name, sizeof name, "%s", order[i]->code);
        else
            snprintf(name, sizeof name, "%.24s~%zu", order[i]->code, i + 1);
        lxw_worksheet *us = workbook_add_worksheet(wb, name);
        if (!us) {
            free((void *)order);
            workbook_close(wb);
            unlink(tmp);
            return mp_fail(err, "cannot add the sheet %s to the workbook", name);
        }
        unit_sheet(us, r, order[i], head, num, whole);
    }
    free((void *)order);
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR) {
        unlink(tmp);
        return mp_fail(err, "cannot write the workbook: %s", lxw_strerror(e));
    }
    char *buf = NULL;
    size_t len = 0;
    int rc = fs_read_file(tmp, 1u << 30, 0, &buf, &len, err);
    unlink(tmp);
    if (rc < 0)
        return -1;
    rc = fs_write_atomic(path, buf, len, 0644, err);
    free(buf);
    return rc;
}
