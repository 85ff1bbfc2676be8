/* form.c - bounded collection of form fields (form.h). */
#include "form.h"

#include <string.h>

void form_init(form *f)
{
    memset(f, 0, sizeof *f);
}

/* Puts the piece into buf (cap bytes with the NUL) at off. */
static int put(form *f, char *buf, size_t cap, uint64_t off, const char *data, size_t size)
{
    if (off > cap || size >= cap - off) {
        f->overflow = 1;
        return -1;
    }
    memcpy(buf + off, data, size);
    buf[off + size] = '\0';
    return 0;
}

int form_feed(form *f, const char *key, const char *data, uint64_t off, size_t size)
{
    if (f->overflow)
        return -1;
    if (!key)
        return 0;
    if (strcmp(key, "rating") == 0) {
        f->has_rating = 1;
        return put(f, f->rating, sizeof f->rating, off, data, size);
    }
    if (strcmp(key, "csrf") == 0)
        return put(f, f->csrf, sizeof f->csrf, off, data, size);
    if (strcmp(key, "vote") == 0)
        return put(f, f->vote, sizeof f->vote, off, data, size);
    if (strcmp(key, "send") == 0) {
        f->has_send = 1;
        return put(f, f->send, sizeof f->send, off, data, size);
    }
    if (strcmp(key, "comment") == 0) {
        f->has_comment = 1;
        if (put(f, f->comment, sizeof f->comment, off, data, size) < 0)
            return -1;
        if (off + size > f->comment_len)
            f->comment_len = (size_t)(off + size);
        return 0;
    }
    if (strcmp(key, "reason") == 0) {
        if (off == 0) {
            if (f->n_reasons >= FORM_REASONS_MAX) {
                f->overflow = 1;
                return -1;
            }
            f->n_reasons++;
        }
        if (f->n_reasons == 0) {
            f->overflow = 1;
            return -1;
        }
        return put(f, f->reasons[f->n_reasons - 1], FORM_REASON_BYTES, off, data, size);
    }
    return 0;
}

int form_rating(const form *f)
{
    if (!f->has_rating)
        return -1;
    static const char *const ok[] = {"10", "8", "6", "0"};
    static const int pts[] = {10, 8, 6, 0};
    for (int i = 0; i < 4; i++)
        if (strcmp(f->rating, ok[i]) == 0)
            return pts[i];
    return -1;
}

int64_t form_vote_seq(const form *f)
{
    const char *s = f->vote;
    if (!*s || *s == '0' || strlen(s) > 15)
        return -1;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int form_cookie_ok(const char *value)
{
    if (!value || strlen(value) != 32)
        return 0;
    for (const char *c = value; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return 0;
    return 1;
}
