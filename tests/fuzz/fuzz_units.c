/* fuzz_units.c - libFuzzer target: a unit registry CSV file as
 * `minping-office units import` loads it (unitreg_import).
 *
 * The office database holds two provisioned kiosks (units GA01, MZ01, TS01
 * and Q01 known from provisioning, without a type) and the registry
 * PRIOR_UNITS (GA01, MZ01, ZJ01 with types and some contacts), so an input
 * can add units, update or rename them, or change nothing.  A rejected file
 * must leave every table exactly as it was and explain itself in one line
 * without control characters; an accepted one must account for every unit
 * it names.
 */
#include "fuzzutil.h"
#include "unitreg.h"

#include <stdlib.h>
#include <string.h>

/* The registry imported before each input (also in corpus/fuzz_units/prior.csv). */
static const char PRIOR_UNITS[] =
    "代码,名称,类型,分管领导,联系人1姓名,联系人1手机,联系人1电子邮箱,联系人1QQ\n"
    "GA01,县公安局,县直机关,张示例,李示例,000-0000-0000,a@example.org,10000101\n"
    "MZ01,县民政局,县直机关,,,,,\n"
    "ZJ01,县住房和城乡建设局,县直机关,王示例,,,,\n";

static fuzz_office *office;
static int dirty; /* the office database holds an accepted import */

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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
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
    int64_t units0 = fuzz_count(db, "SELECT count(*) FROM units");
    unitreg_result res;
    mp_err err = {{0}};
    int rc = unitreg_import(db, "units.csv", (const char *)data, size, FUZZ_NOW, &res, &err);
    if (rc < 0) {
        fuzz_check_message(&err, "unitreg_import");
        FUZZ_CHECK(res.n_renames == 0 && res.renames == NULL, "a failure returned renames");
        fuzz_office_check_unchanged(office, "the unit registry file");
        return 0;
    }
    dirty = 1;
    fuzz_office_check_idle(office, "unitreg_import");
    FUZZ_CHECK(res.units > 0 && res.units == res.added + res.updated + res.unchanged,
               "%lld units: %lld added, %lld updated, %lld unchanged", (long long)res.units,
               (long long)res.added, (long long)res.updated, (long long)res.unchanged);
    FUZZ_CHECK((int64_t)res.n_renames <= res.updated, "%zu renames, %lld updated",
               res.n_renames, (long long)res.updated);
    FUZZ_CHECK(fuzz_count(db, "SELECT count(*) FROM units") == units0 + res.added,
               "the units table did not grow by the units added");
    FUZZ_CHECK(fuzz_count(db, "SELECT count(*) FROM units WHERE type IS NOT NULL") >= res.units,
               "a unit of the file has no type");
    for (size_t i = 0; i < res.n_renames; i++)
        FUZZ_CHECK(strcmp(res.renames[i].old_name, res.renames[i].new_name) != 0,
                   "rename of %s to the same name", res.renames[i].code);
    unitreg_result_free(&res);
    return 0;
}
