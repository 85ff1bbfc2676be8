/* pages.h - the survey's HTML pages and static files, as text.
 *
 * Pages are Chinese, server-rendered, need no JavaScript, and load nothing
 * but the server's own stylesheet and face images (the Content-Security-
 * Policy, server.c, allows nothing else).  Every configured or submitted
 * text is escaped (html.h).  Knows nothing of HTTP.
 */
#ifndef MINPING_SURVEY_PAGES_H
#define MINPING_SURVEY_PAGES_H

#include "config.h"
#include "html.h"
#include "survey_config.h"

#include <stddef.h>
#include <stdint.h>

/* The unit picker: every [units] entry, a link to /u/CODE each. */
void pages_units(html_buf *b, const survey_config *cfg);

/* The rating page of unit: the question and one form whose four submit
 * buttons are <button name="rating" value="10">非常满意</button> ... 0
 * 不满意, posting to /u/CODE with the hidden csrf token. */
void pages_rating(html_buf *b, const config_unit *unit, const char *csrf);

/* The thank-you page after a stored vote (contains 谢谢).  When csrf is not
 * NULL (after 一般 or 不满意) it offers the follow-up form: reason check
 * boxes (cfg's reasons), a comment of at most 200 characters, button send,
 * posting to /followup with the vote's seq and the token. */
void pages_thanks(html_buf *b, const survey_config *cfg, const config_unit *unit, int points,
                  int64_t vote_seq, const char *csrf);

/* The follow-up form of a kiosk vote (GET /f/TOKEN): the unit's name (or
 * code), the rating already cast shown, not asked; the same fields as
 * after an online vote, posting to /f/TOKEN. */
void pages_kiosk_followup(html_buf *b, const survey_config *cfg, const char *unit, int points,
                          const char *token, const char *csrf);

/* After a stored follow-up (contains 谢谢). */
void pages_followup_done(html_buf *b);

/* Pages that say something went wrong or was refused; none contains 谢谢. */
typedef enum pages_problem {
    PAGES_NOT_FOUND,      /* 404: unknown unit or page; links to / */
    PAGES_FORGED,         /* 403: form token missing, expired or not this browser's */
    PAGES_BAD_FORM,       /* 400: no rating, malformed or overlong fields */
    PAGES_TOO_LARGE,      /* 413 */
    PAGES_TOO_MANY,       /* 429 */
    PAGES_UNAVAILABLE,    /* 503: the vote could not be stored */
    PAGES_BUSY,           /* 503: too many requests at once */
    PAGES_DUPLICATE,      /* 409: this vote's follow-up was sent already */
    PAGES_METHOD,         /* 405 */
    PAGES_BAD_TOKEN,      /* 403: a kiosk's follow-up link malformed, altered or foreign */
    PAGES_EXPIRED,        /* 410: a kiosk's follow-up link older than 24 hours */
    PAGES_USED,           /* 409: a kiosk's follow-up link used already */
} pages_problem;

/* The page and its HTTP status. */
int pages_problem_page(html_buf *b, pages_problem what);

/* Static files: the stylesheet and the four faces (SVG), by path
 * ("/s/survey.css", "/s/face-10.svg" ...).  NULL when there is none;
 * *type gets its Content-Type. */
const char *pages_static(const char *path, size_t *len, const char **type);

#endif
