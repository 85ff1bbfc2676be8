/* rubricfind.h - where minping-office finds the rubric of an assessment year
 * (rubric show/check, record, assess).
 *
 * A rubric is a file "*.ini" (rubric.h) whose [rubric] year is the year
 * asked for.  --rubric FILE names one; otherwise the folders below are
 * searched in order and the first that holds a rubric of that year gives it
 * (two of the same year in one folder is an error):
 *
 *   $MINPING_RUBRIC_DIR            when set
 *   <the database's folder>/rubric the office's own rubrics (a new year's
 *                                  is a copy of an older one with edits)
 *   the rubrics shipped with Minping (assets/rubric in the source tree when
 *                                  run from the build tree, else
 *                                  <prefix>/share/minping/rubric)
 */
#ifndef MINPING_RUBRICFIND_H
#define MINPING_RUBRICFIND_H

#include "office.h"
#include "rubric.h"

/* Loads the rubric for year (0: the latest year found) or from path (when
 * not NULL; its year must then be `year` unless year is 0). */
int office_load_rubric(const office_ctx *ctx, const char *path, int year, rubric **out,
                       mp_err *err);

/* Every rubric found (not --rubric): calls fn for each, by folder then name. */
typedef int (*office_rubric_fn)(void *user, const char *path, rubric *r);
int office_each_rubric(const office_ctx *ctx, office_rubric_fn fn, void *user, mp_err *err);

/* Parses "2026" (1970-9999) for --year; fails with a usage message. */
int office_parse_year(const char *s, int *year, mp_err *err);

/* Prints the office's settings of r (折合 ratio, bonus maximum, grades, which
 * votes count), a few lines (rubric.c). */
void office_print_rubric_settings(FILE *f, const rubric *r);

#endif
