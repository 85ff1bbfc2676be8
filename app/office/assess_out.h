/* assess_out.h - what the writers of `minping-office assess` share
 * (assess.c: table, CSV, HTML; assess_xlsx.c: the workbook). */
#ifndef MINPING_ASSESS_OUT_H
#define MINPING_ASSESS_OUT_H

#include "assess.h"
#include "office.h"
#include "rubric.h"

#include <stddef.h>

/* The scorecard's columns, in every format. */
enum { ASSESS_N_COLUMNS = 14 };
extern const char *const ASSESS_COLUMNS[ASSESS_N_COLUMNS];

/* The index (rubric_at) of category number `which` (0: 一), or -1. */
int assess_out_category(const rubric *r, int which);

/* The units by 名次, then code (malloc'd; free it, not the units). */
const assess_unit **assess_out_order(const assess_result *res);

/* Fills the numeric cells of u's row (columns 3-11 and 13, two decimals);
 * assess_out_cell then gives any column's text. */
void assess_out_cells(const rubric *r, const assess_unit *u, char cells[][48]);
const char *assess_out_cell(const assess_unit *u, char cells[][48], int col);

/* A record's state in the working ("计入", "从重未计（…#7…）", …), its
 * amount ("扣 1", "计数 120"), and an entry's working ("450 ÷ 500 …"). */
const char *assess_out_state(const assess_rec *rec, char *buf, size_t len);
void assess_out_amount(const assess_rec *rec, char *buf, size_t len);
void assess_out_working(const rubric *r, const assess_unit *u, size_t k, char *buf, size_t len);

/* Writes the workbook to path (replaced atomically): a summary sheet 汇总
 * with the columns above (points as numbers) and one sheet per unit (named
 * by its code) with its working and records. */
int assess_write_xlsx(const char *path, const rubric *r, const assess_result *res, mp_err *err);

#endif
