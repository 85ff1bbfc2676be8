/* wjx.h - reading a 问卷星 (wjx.cn) "按文本" CSV download: the answers to a
 * satisfaction question, as votes of the online channel.  Pure: no
 * database; the office's import-wjx command (app/office/wjx.c) stores them.
 *
 * The file: UTF-8 with or without a byte-order mark, or GB18030 (问卷星's
 * "Excel" encoding), CSV with a header line.  Its leading columns are
 * 序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP (any order, others
 * allowed), then one column per question titled "N、题干".  Only 序号,
 * 提交答卷时间, 所用时间, the satisfaction question and the unit question
 * (when one is named) are read; every other column (来自IP, 来源, free
 * text, ...) is dropped unread, so nothing personal is kept.
 *
 *   - 序号: the answer's number in the survey, 1 or more, unique in the file;
 *   - 提交答卷时间: "2026/12/5 10:23:45" or "2026-12-05 10:23:45", Beijing
 *     time (UTC+8, WJX_UTC_OFFSET);
 *   - 所用时间: "2秒", "1分3秒", "1小时2分3秒": answers filled in
 *     WJX_FAST_SECONDS or less are flagged;
 *   - the satisfaction question: the first question (other than the unit's)
 *     whose title contains 满意; its answer must be one of the four ratings'
 *     labels (非常满意 10, 基本满意 8, 一般 6, 不满意 0).
 *
 * Anything else is refused as a whole, naming the line and the column.
 */
#ifndef MINPING_WJX_H
#define MINPING_WJX_H

#include "err.h"

#include <stddef.h>
#include <stdint.h>

enum {
    WJX_UTC_OFFSET = 8 * 3600,  /* 问卷星 writes Beijing time */
    WJX_FAST_SECONDS = 2,       /* filled in this fast or faster: flagged */
    WJX_ROWS_MAX = 1000000,
};

typedef struct wjx_row {
    int64_t seq;             /* 序号 */
    size_t line;             /* the line the answer starts on */
    int64_t submitted_utc;   /* 提交答卷时间 */
    int64_t seconds;         /* 所用时间 */
    int points;              /* 10, 8, 6 or 0 */
    int flagged;             /* seconds <= WJX_FAST_SECONDS */
    char *unit;              /* the unit question's answer; NULL without one */
} wjx_row;

typedef struct wjx_file {
    char questions[33];      /* BLAKE2b-128 of the question titles, hex: the
                                survey the file is of, the same for every
                                download of it */
    char *rating_title;      /* the satisfaction question's title */
    size_t rating_col;       /* its column, from 1 */
    size_t unit_col;         /* the unit question's column, from 1; 0: none */
    char *unit_title;        /* its title, or NULL */
    size_t n_rows;
    wjx_row *rows;           /* ascending by seq */
} wjx_file;

/* Parses the file in buf (len bytes).  label names it in messages.
 * unit_column (NULL: none) names the question whose answer is the unit: its
 * whole title ("2、您办理业务的单位"), the title without its number, or the
 * number ("2").  On success *out owns the file (wjx_free); on failure err
 * names the line and column and nothing is allocated. */
int wjx_parse(const char *buf, size_t len, const char *label, const char *unit_column,
              wjx_file **out, mp_err *err);

void wjx_free(wjx_file *f);

/* Parses a 所用时间 text into seconds; 0, or -1 when it is not one. */
int wjx_duration(const char *text, int64_t *seconds);

/* Parses a 提交答卷时间 text (Beijing time) into Unix seconds; 0 or -1. */
int wjx_time(const char *text, int64_t *utc);

#endif
