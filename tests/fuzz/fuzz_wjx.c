/* fuzz_wjx.c - libFuzzer target: a 问卷星 "按文本" CSV download as
 * `minping-office import-wjx` reads it (wjx_parse), with no unit question
 * and with question 1 as the unit's (the first byte chooses; the rest is
 * the file).  A rejected file must explain itself in one line without
 * control characters and allocate nothing; an accepted one must give
 * answers numbered uniquely in ascending order, each a rating's points,
 * flagged exactly when filled in WJX_FAST_SECONDS or less, with a unit
 * exactly when one was asked for, and a survey id of 32 hex digits.
 */
#include "fuzzutil.h"
#include "hexid.h"
#include "rating.h"
#include "utf8.h"
#include "wjx.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *unit_column = data[0] & 1 ? "1" : NULL;
    wjx_file *f = NULL;
    mp_err err = {{0}};
    int rc = wjx_parse((const char *)data + 1, size - 1, "wjx.csv", unit_column, &f, &err);
    if (rc < 0) {
        FUZZ_CHECK(f == NULL, "a failure returned a file");
        fuzz_check_message(&err, "wjx_parse");
        return 0;
    }
    FUZZ_CHECK(f && f->n_rows > 0, "an accepted file without answers");
    FUZZ_CHECK(hexid_is_lower(f->questions, 32) && f->questions[32] == '\0',
               "survey id \"%s\"", f->questions);
    FUZZ_CHECK(f->rating_title && utf8_count_printable(f->rating_title) >= 0 &&
                   (!f->unit_title || utf8_count_printable(f->unit_title) >= 0),
               "a question's title is not text");
    FUZZ_CHECK((f->unit_col != 0) == (unit_column != NULL) && f->unit_col != f->rating_col,
               "unit column %zu, rating column %zu", f->unit_col, f->rating_col);
    for (size_t i = 0; i < f->n_rows; i++) {
        const wjx_row *r = &f->rows[i];
        FUZZ_CHECK(r->seq >= 1 && (i == 0 || r->seq > f->rows[i - 1].seq),
                   "answer %zu numbered %lld", i, (long long)r->seq);
        FUZZ_CHECK(rating_by_points(r->points) != NULL, "%d points", r->points);
        FUZZ_CHECK(r->seconds >= 0 && r->flagged == (r->seconds <= WJX_FAST_SECONDS),
                   "%lld s, flagged %d", (long long)r->seconds, r->flagged);
        FUZZ_CHECK((r->unit != NULL) == (unit_column != NULL) &&
                       (!r->unit || (r->unit[0] && utf8_count_printable(r->unit) > 0)),
                   "the unit of answer %lld", (long long)r->seq);
        FUZZ_CHECK(r->line >= 2, "answer %lld on line %zu", (long long)r->seq, r->line);
    }
    wjx_free(f);
    return 0;
}
