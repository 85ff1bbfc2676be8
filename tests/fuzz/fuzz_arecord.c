/* fuzz_arecord.c - libFuzzer target: an assessment-record CSV file (the
 * template the office fills in Excel or WPS) as `minping-office record
 * import` loads it (arecord_import).
 *
 * The office database holds the registry PRIOR_UNITS (GA01, TS01, GD01 with
 * types); the rubrics are the shipped one (year 2011) and the same file as
 * year 2026.  A rejected file must leave every table exactly as it was and
 * explain itself in one line without control characters; an accepted one
 * must have stored exactly the records it reports, each in a rubric year.
 */
#include "arecord.h"
#include "fsutil.h"
#include "fuzzutil.h"
#include "rubric.h"
#include "unitreg.h"

#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_RUBRIC
#error "FUZZ_RUBRIC must name the shipped rubric file"
#endif

static const char PRIOR_UNITS[] = "代码,名称,类型\n"
                                  "GA01,县公安局,县直机关\n"
                                  "TS01,城关镇人民政府,乡镇\n"
                                  "GD01,县供电公司,公共企事业单位\n";

static fuzz_office *office;
static rubric *rubrics[2]; /* 2011, 2026 */
static int dirty;

static int prep(registry *r, void *user)
{
    (void)user;
    unitreg_result res;
    mp_err err = {{0}};
    FUZZ_CHECK(unitreg_import(registry_sqlite(r), "prior.csv", PRIOR_UNITS,
                              sizeof PRIOR_UNITS - 1, FUZZ_NOW - 86400, &res, &err) == 0,
               "importing the prior registry: %s", err.msg);
    unitreg_result_free(&res);
    return 0;
}

static const rubric *rubric_for(void *user, int year, mp_err *err)
{
    (void)user;
    for (int i = 0; i < 2; i++)
        if (rubric_year(rubrics[i]) == year)
            return rubrics[i];
    mp_fail(err, "no rubric for %d", year);
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char *text = NULL;
    size_t len = 0;
    mp_err err = {{0}};
    FUZZ_CHECK(fs_read_file(FUZZ_RUBRIC, RUBRIC_FILE_MAX, 0, &text, &len, &err) == 1, "%s",
               err.msg);
    FUZZ_CHECK(rubric_parse("hengshan-2011.ini", text, len, &rubrics[0], &err) == 0, "%s",
               err.msg);
    char *year = strstr(text, "\nyear = 2011");
    FUZZ_CHECK(year != NULL, "the shipped rubric has no year line");
    memcpy(year + 8, "2026", 4);
    FUZZ_CHECK(rubric_parse("hengshan-2026.ini", text, len, &rubrics[1], &err) == 0, "%s",
               err.msg);
    free(text);
    office = fuzz_office_create(prep, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dirty) {
        fuzz_office_restore(office);
        dirty = 0;
    }
    sqlite3 *db = fuzz_office_db(office);
    int64_t before = fuzz_count(db, "SELECT count(*) FROM assess_records"), n = -1;
    mp_err err = {{0}};
    int rc = arecord_import(db, "records.csv", (const char *)data, size, rubric_for, NULL,
                            "fuzz", FUZZ_NOW, &n, &err);
    if (rc < 0) {
        fuzz_check_message(&err, "arecord_import");
        fuzz_office_check_unchanged(office, "the record file");
        return 0;
    }
    dirty = 1;
    fuzz_office_check_idle(office, "arecord_import");
    FUZZ_CHECK(n > 0, "%lld records imported", (long long)n);
    FUZZ_CHECK(fuzz_count(db, "SELECT count(*) FROM assess_records") == before + n,
               "the records table did not grow by the %lld records imported", (long long)n);
    FUZZ_CHECK(fuzz_count(db, "SELECT count(*) FROM assess_records WHERE substr(date, 1, 4) NOT IN "
                              "('2011', '2026') OR unit_code NOT IN ('GA01', 'TS01', 'GD01')") == 0,
               "a record outside the rubric years or the registry");
    return 0;
}
