/* assess_votes.c - counting a unit's votes of a year for 民主测评 (see
 * assess_votes.h). */
#include "assess_votes.h"

#include "tally.h"

#include <stdio.h>
#include <string.h>

typedef struct acc {
    const rubric_settings *s;
    assess_votes *out;
} acc;

static int add_channel(void *user, const char *unit_code, const char *channel,
                       const tally_counts *t)
{
    (void)unit_code;
    acc *a = user;
    assess_votes *out = a->out;
    int channel_ok = a->s->all_channels;
    for (int i = 0; i < a->s->n_channels && !channel_ok; i++)
        channel_ok = strcmp(channel, a->s->channels[i]) == 0;
    for (int i = 0; i < RATING_COUNT; i++) {
        int64_t excluded = t->n[TALLY_EXCLUDED][i] + t->n[TALLY_EXCLUDED_FLAGGED][i];
        if (!channel_ok) {
            out->channel_left_out += t->n[TALLY_COUNTED][i] + t->n[TALLY_FLAGGED][i] + excluded;
            continue;
        }
        out->excluded_left_out += excluded;
        out->counts[i] += t->n[TALLY_COUNTED][i];
        if (a->s->include_flagged)
            out->counts[i] += t->n[TALLY_FLAGGED][i];
        else
            out->flagged_left_out += t->n[TALLY_FLAGGED][i];
    }
    return 0;
}

int assess_votes_unit(sqlite3 *db, const char *unit, int year, const rubric_settings *s,
                      assess_votes *out, mp_err *err)
{
    memset(out, 0, sizeof *out);
    char from[16], to[16];
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    acc a = {s, out};
    if (tally_each_unit(db, from, to, NULL, unit, add_channel, &a, err) < 0)
        return -1;
    return score_compute(out->counts, &out->s, err);
}
