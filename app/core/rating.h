/* rating.h - the four satisfaction levels of 民主测评 and their points. */
#ifndef MINPING_RATING_H
#define MINPING_RATING_H

typedef struct rating {
    int points;         /* 10, 8, 6 or 0 */
    const char *label;  /* 非常满意, 基本满意, 一般, 不满意 */
    const char *id;     /* ui-dump element id: "rate.10" ... */
} rating;

enum { RATING_COUNT = 4 };

/* The levels, best first: the order the kiosk shows them in. */
extern const rating RATINGS[RATING_COUNT];

/* Returns the level worth `points`, or NULL if no level is. */
const rating *rating_by_points(int points);

#endif
