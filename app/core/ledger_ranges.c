/* ledger_ranges.c - the ledger's one writer of seq lists (ledger_int.h), and
 * the small SQLite helpers its files share. */
#include "ledger_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int ledger_db_fail(sqlite3 *db, mp_err *err)
{
    return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
}

const char *ledger_text_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

void ledger_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

#define CUT " …"

void ledger_ranges_init(ledger_ranges *r, char *buf, size_t cap, int max_ranges)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->cap = cap;
    r->max_ranges = max_ranges;
    buf[0] = '\0';
}

/* Appends text, or ends the list with CUT when text and CUT would not fit. */
static void put(ledger_ranges *r, const char *text)
{
    if (r->full)
        return;
    size_t n = strlen(text);
    if (r->len + n + sizeof CUT > r->cap) {
        if (r->len + sizeof CUT <= r->cap) {
            memcpy(r->buf + r->len, CUT, sizeof CUT);
            r->len += sizeof CUT - 1;
        }
        r->full = 1;
        return;
    }
    memcpy(r->buf + r->len, text, n + 1);
    r->len += n;
}

/* Writes the range being collected. */
static void flush(ledger_ranges *r)
{
    if (r->from == 0)
        return;
    if (r->max_ranges > 0 && r->shown >= r->max_ranges) {
        r->more++;
    } else {
        char part[64];
        const char *sep = r->in_group ? ", " : "";
        if (r->from == r->to)
            snprintf(part, sizeof part, "%s%" PRId64, sep, r->from);
        else
            snprintf(part, sizeof part, "%s%" PRId64 "-%" PRId64, sep, r->from, r->to);
        put(r, part);
        r->shown++;
        r->in_group = 1;
    }
    r->from = r->to = 0;
}

void ledger_ranges_add(ledger_ranges *r, int64_t from, int64_t to)
{
    if (r->from != 0 && from == r->to + 1) {
        r->to = to;
        return;
    }
    flush(r);
    r->from = from;
    r->to = to;
}

void ledger_ranges_break(ledger_ranges *r)
{
    flush(r);
}

void ledger_ranges_head(ledger_ranges *r, const char *head)
{
    flush(r);
    put(r, head);
    r->in_group = 0;
}

void ledger_ranges_end(ledger_ranges *r)
{
    flush(r);
    if (r->more > 0) {
        char tail[64];
        snprintf(tail, sizeof tail, ", … and %" PRId64 " more ranges", r->more);
        put(r, tail);
    }
}
