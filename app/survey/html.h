/* html.h - a growing text buffer for the survey's pages, and HTML escaping.
 * Every text that is not a fixed part of a page goes through html_esc. */
#ifndef MINPING_SURVEY_HTML_H
#define MINPING_SURVEY_HTML_H

#include <stddef.h>

typedef struct html_buf {
    char *p;      /* NUL-terminated; NULL until something is written */
    size_t len, cap;
    int oom;      /* an allocation failed: the text is incomplete */
} html_buf;

void html_put(html_buf *b, const char *s);
void html_putf(html_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' written as entities. */
void html_esc(html_buf *b, const char *s);
/* Frees the text; the buffer may be used again. */
void html_free(html_buf *b);

#endif
