/* fuzz_rubric.c - libFuzzer target: a rubric file (like the shipped
 * assets/rubric/hengshan-2011.ini) as `minping-office rubric show|check` and
 * every assessment command read it (rubric_parse).  A rejected file must explain itself in one line without
 * control characters and return no rubric; an accepted one must hold
 * entries whose parents come before them at the depth above, ids that are
 * found again by rubric_find, points and targets in range, grades by
 * threshold highest first, and must go through rubric_check, the grades
 * and the attainable points without a fault.
 */
#include "fuzzutil.h"
#include "rubric.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rubric *r = NULL;
    mp_err err = {{0}};
    if (rubric_parse("rubric.ini", (const char *)data, size, &r, &err) < 0) {
        FUZZ_CHECK(r == NULL, "a failure returned a rubric");
        fuzz_check_message(&err, "rubric_parse");
        return 0;
    }
    FUZZ_CHECK(r != NULL, "success without a rubric");
    size_t n = rubric_count(r);
    FUZZ_CHECK(rubric_year(r) >= 1970 && rubric_year(r) <= 9999, "year %d", rubric_year(r));
    FUZZ_CHECK(utf8_count_printable(rubric_title(r)) >= 0, "the title is not text");
    for (size_t i = 0; i < n; i++) {
        const rubric_item *it = rubric_at(r, i);
        FUZZ_CHECK(it->id[0] && strlen(it->id) < RUBRIC_ID_MAX, "entry %zu has no id", i);
        FUZZ_CHECK(rubric_find(r, it->id) == it && rubric_index(r, it->id) == (int)i,
                   "entry %s is not found again", it->id);
        FUZZ_CHECK(it->parent < (int)i, "entry %s before its parent", it->id);
        if (it->parent >= 0)
            FUZZ_CHECK(rubric_at(r, (size_t)it->parent)->depth == it->depth - 1,
                       "entry %s at depth %d under depth %d", it->id, it->depth,
                       rubric_at(r, (size_t)it->parent)->depth);
        FUZZ_CHECK(it->points == RUBRIC_NO_POINTS || it->points >= 0, "%s: points %lld",
                   it->id, (long long)it->points);
        FUZZ_CHECK(it->per_event >= 0, "%s: per_event %lld", it->id, (long long)it->per_event);
        FUZZ_CHECK(utf8_count_printable(it->text) >= 0 && utf8_count_printable(it->name) >= 0 &&
                       utf8_count_printable(it->unit) >= 0,
                   "%s: wording that is not text", it->id);
        for (int t = 0; t < UNITREG_TYPES; t++)
            FUZZ_CHECK(rubric_target(it, UNITREG_TYPE_NAMES[t]) >= -1, "%s: a target below -1",
                       it->id);
        int64_t a = rubric_attainable(r, i);
        FUZZ_CHECK(it->points == RUBRIC_NO_POINTS || (a >= 0 && a <= it->points),
                   "%s: attainable %lld of %lld", it->id, (long long)a, (long long)it->points);
        char buf[32];
        rubric_fmt2(it->points, buf, sizeof buf);
        rubric_fmt(it->points, buf, sizeof buf);
    }
    const rubric_settings *s = rubric_get_settings(r);
    FUZZ_CHECK(s->n_grades >= 0 && s->n_grades <= RUBRIC_GRADES_MAX, "%d grades", s->n_grades);
    for (int g = 1; g < s->n_grades; g++)
        FUZZ_CHECK(s->grades[g].min < s->grades[g - 1].min, "grades not highest first");
    FUZZ_CHECK(s->n_channels >= 0 && s->n_channels <= RUBRIC_CHANNELS_MAX, "%d channels",
               s->n_channels);
    const int64_t totals[] = {-100, 0, 5999, 6000, 10000, rubric_total(r) + 1000};
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++)
        FUZZ_CHECK(rubric_grade_of(r, totals[i]) != NULL, "no grade text");
    rubric_finding *f = NULL;
    size_t nf = 0;
    if (rubric_check(r, &f, &nf, &err) == 0) {
        for (size_t i = 0; i < nf; i++)
            FUZZ_CHECK(memchr(f[i].msg, '\0', sizeof f[i].msg) != NULL, "a finding unterminated");
        free(f);
    } else {
        fuzz_check_message(&err, "rubric_check");
    }
    rubric_destroy(r);
    return 0;
}
