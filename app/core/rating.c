/* rating.c - the satisfaction levels (annex 1, section 五 of the notice). */
#include "rating.h"

#include <stddef.h>

const rating RATINGS[RATING_COUNT] = {
    {10, "非常满意", "rate.10"},
    {8, "基本满意", "rate.8"},
    {6, "一般", "rate.6"},
    {0, "不满意", "rate.0"},
};

const rating *rating_by_points(int points)
{
    for (int i = 0; i < RATING_COUNT; i++)
        if (RATINGS[i].points == points)
            return &RATINGS[i];
    return NULL;
}
