/* fuzz_export.c - libFuzzer target: a kiosk export file as the office reads
 * it (export_read, then ledger_import into an office database).
 *
 * Each input is read three ways:
 *   1. as it is, by export_read with a fixed in-memory keyring (fuzz-01 has
 *      key A, fuzz-02 key B): mostly this tests the framing, the signature
 *      line and the signature check;
 *   2. re-signed: when the last line ends like a signature line, its
 *      signature is replaced by a valid one over the bytes before it, made
 *      with the key the line names (A unless it names B).  Staff may copy a
 *      kiosk's key, so everything behind the signature check must withstand
 *      hostile but validly signed files too;
 *   3. through the office: ledger_import of the (re-signed) file into an
 *      office database holding two provisioned kiosks and votes 1-3 of
 *      fuzz-01 (office-prior.csv), for every input export_read accepts and
 *      one in eight of the others.  A rejected file must leave the database
 *      exactly as it was (a dump of every table); an accepted one must add
 *      its new votes and one import, and the warning queries must work on it.
 * Rows handed over by export_read are held to export.h's contract, and every
 * rejection must explain itself in one line without control characters.
 */
#define _GNU_SOURCE /* memmem */
#include "export.h"
#include "fuzzutil.h"
#include "keyring.h"
#include "ledger.h"
#include "rating.h"
#include "utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_OFFICE_PRIOR
#error "FUZZ_OFFICE_PRIOR must name office-prior.csv"
#endif

enum { SIG_B64 = 88 }; /* base64 of an Ed25519 signature */

static fuzz_office *office;
static int dirty; /* the office database holds an accepted import */
static sign_key key_a, key_b;

static int prep(registry *r, void *user)
{
    (void)user;
    FILE *f = fopen(FUZZ_OFFICE_PRIOR, "rb");
    FUZZ_CHECK(f != NULL, "cannot read %s", FUZZ_OFFICE_PRIOR);
    static char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ledger_summary sum;
    mp_err err = {{0}};
    FUZZ_CHECK(ledger_import(registry_sqlite(r), "office-prior.csv", buf, len, keyring_lookup, registry_sqlite(r),
                             FUZZ_NOW - 20 * 86400, NULL, NULL, &sum, &err) == 0,
               "importing %s: %s", FUZZ_OFFICE_PRIOR, err.msg);
    FUZZ_CHECK(sum.new_rows == 3, "%s should bring 3 votes", FUZZ_OFFICE_PRIOR);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FUZZ_CHECK(sodium_init() >= 0, "libsodium failed to initialise");
    fuzz_key(FUZZ_KEY_A, &key_a);
    fuzz_key(FUZZ_KEY_B, &key_b);
    office = fuzz_office_create(prep, NULL);
    return 0;
}

/* ---- export_read's contract ---- */

typedef struct rows_seen {
    const export_meta *meta;
    int64_t rows, prev;
} rows_seen;

static int check_row(void *user, const export_row *r, mp_err *err)
{
    (void)err;
    rows_seen *s = user;
    const export_meta *m = s->meta;
    mp_err why;
    FUZZ_CHECK(strcmp(r->kiosk_id, m->kiosk_id) == 0, "row of kiosk %s in %s's file", r->kiosk_id,
               m->kiosk_id);
    FUZZ_CHECK(strcmp(r->instance, m->instance) == 0, "row of another instance");
    FUZZ_CHECK(r->seq > s->prev && r->seq >= m->first_seq && r->seq <= m->last_seq,
               "seq %lld after %lld, outside %lld-%lld", (long long)r->seq, (long long)s->prev,
               (long long)m->first_seq, (long long)m->last_seq);
    FUZZ_CHECK(strlen(r->uuid) == 36, "uuid %s", r->uuid);
    FUZZ_CHECK(config_check_unit_code(r->unit_code, &why) == 0, "unit code: %s", why.msg);
    FUZZ_CHECK(config_check_unit_name(r->unit_name, &why) == 0, "unit name: %s", why.msg);
    FUZZ_CHECK(rating_by_points(r->points) != NULL, "points %d", r->points);
    FUZZ_CHECK(r->flagged == 0 || r->flagged == 1, "flag %d", r->flagged);
    FUZZ_CHECK(strcmp(r->channel, "kiosk") == 0 || strcmp(r->channel, "online") == 0,
               "channel %s", r->channel);
    FUZZ_CHECK(r->utc_offset % 60 == 0 && r->utc_offset >= -14 * 3600 &&
                   r->utc_offset <= 14 * 3600,
               "offset %d", r->utc_offset);
    s->rows++;
    s->prev = r->seq;
    return 0;
}

/* export_read with the in-memory keyring; returns its result. */
static int read_checked(const char *buf, size_t len, const char *what)
{
    export_meta meta;
    rows_seen s = {&meta, 0, 0};
    mp_err err = {{0}};
    int rc = export_read(buf, len, fuzz_key_lookup, NULL, &meta, check_row, &s, &err);
    if (rc < 0) {
        fuzz_check_message(&err, what);
        return -1;
    }
    FUZZ_CHECK(rc == 0, "%s returned %d", what, rc);
    FUZZ_CHECK(s.rows == meta.rows, "%s: %lld rows, signature line says %lld", what,
               (long long)s.rows, (long long)meta.rows);
    if (meta.rows == 0)
        FUZZ_CHECK(meta.first_seq == 0 && meta.last_seq == 0, "%s: empty file with seqs", what);
    else
        FUZZ_CHECK(s.prev == meta.last_seq, "%s: last row is not the last seq", what);
    FUZZ_CHECK(strcmp(meta.kiosk_id, FUZZ_KIOSK_A) == 0 || strcmp(meta.kiosk_id, FUZZ_KIOSK_B) == 0,
               "%s: accepted an unknown kiosk %s", what, meta.kiosk_id);
    return 0;
}

/* A copy of the input with a valid signature in place of its own, or NULL
 * when its last line does not end like a signature line. */
static char *resign(const uint8_t *data, size_t size)
{
    if (size < SIG_B64 + 3 || data[size - 2] != '\r' || data[size - 1] != '\n' ||
        data[size - 3 - SIG_B64] != ',')
        return NULL;
    size_t signed_len = size - 2 - SIG_B64;
    char *copy = malloc(size);
    FUZZ_CHECK(copy != NULL, "out of memory");
    memcpy(copy, data, size);
    size_t line = signed_len;
    while (line > 0 && copy[line - 1] != '\n')
        line--;
    const sign_key *key =
        memmem(copy + line, signed_len - line, key_b.id, SIGN_ID_CHARS) ? &key_b : &key_a;
    unsigned char sig[SIGN_BYTES];
    char b64[SIG_B64 + 1];
    sign_detached(key, copy, signed_len, sig);
    sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    memcpy(copy + signed_len, b64, SIG_B64);
    return copy;
}

/* ---- the office ---- */

static int on_gap(void *user, const ledger_gap *g)
{
    (void)user;
    FUZZ_CHECK(g->from >= 1 && g->from <= g->to, "gap %lld-%lld", (long long)g->from,
               (long long)g->to);
    return 0;
}

static int on_clock(void *user, const ledger_clock_warning *w)
{
    (void)user;
    FUZZ_CHECK(w->votes > 0 && w->seqs != NULL, "empty clock warning");
    return 0;
}

static int on_counts(void *user, const ledger_unit_counts *u)
{
    (void)user;
    for (int i = 0; i < RATING_COUNT; i++)
        FUZZ_CHECK(u->counts[i] >= 0 && u->flagged[i] >= 0, "negative count for %s", u->code);
    return 0;
}

static int on_instance(void *user, const ledger_instance *in)
{
    (void)user;
    FUZZ_CHECK(in->votes >= 0 && in->missing >= 0, "instance %s: %lld votes, %lld missing",
               in->instance, (long long)in->votes, (long long)in->missing);
    return 0;
}

static void office_import(const char *buf, size_t len, int read_ok)
{
    if (dirty) {
        fuzz_office_restore(office);
        dirty = 0;
    }
    sqlite3 *db = fuzz_office_db(office);
    int64_t votes0 = fuzz_count(db, "SELECT count(*) FROM votes");
    int64_t imports0 = fuzz_count(db, "SELECT count(*) FROM imports");
    ledger_summary sum;
    mp_err err = {{0}};
    int rc = ledger_import(db, "fuzz.csv", buf, len, keyring_lookup, db,
                           FUZZ_NOW, NULL, NULL, &sum, &err);
    if (rc < 0) {
        fuzz_check_message(&err, "ledger_import");
        fuzz_office_check_unchanged(office, "the export file");
        return;
    }
    dirty = 1;
    fuzz_office_check_idle(office, "ledger_import");
    FUZZ_CHECK(read_ok == 0, "the office imported a file export_read refused");
    FUZZ_CHECK(sum.rows == sum.meta.rows && sum.new_rows >= 0 && sum.new_rows <= sum.rows,
               "summary: %lld rows (%lld new), signature line %lld", (long long)sum.rows,
               (long long)sum.new_rows, (long long)sum.meta.rows);
    FUZZ_CHECK(fuzz_count(db, "SELECT count(*) FROM votes") == votes0 + sum.new_rows,
               "the votes table did not grow by the new votes");
    FUZZ_CHECK(fuzz_count(db, "SELECT count(*) FROM imports") == imports0 + 1,
               "no import recorded");

    /* What `import`, `kiosks` and `report` ask next. */
    char *gaps = NULL;
    int64_t missing = 0;
    FUZZ_CHECK(ledger_gap_text(db, sum.meta.kiosk_id, sum.meta.instance, 5, &gaps, &missing,
                               &err) == 0,
               "ledger_gap_text: %s", err.msg);
    free(gaps);
    FUZZ_CHECK(ledger_each_gap(db, NULL, NULL, on_gap, NULL, &err) == 0, "gaps: %s", err.msg);
    FUZZ_CHECK(ledger_each_clock_warning(db, NULL, "2026-01-01", "2026-12-31", on_clock, NULL,
                                         &err) == 0,
               "clock warnings: %s", err.msg);
    FUZZ_CHECK(ledger_each_unregistered(db, NULL, NULL, on_counts, NULL, &err) == 0,
               "unregistered: %s", err.msg);
    FUZZ_CHECK(ledger_each_unit_counts(db, "1970-01-01", "9999-12-31", on_counts, NULL, &err) == 0,
               "unit counts: %s", err.msg);
    FUZZ_CHECK(ledger_each_instance(db, NULL, on_instance, NULL, &err) == 0, "instances: %s",
               err.msg);
    fuzz_office_check_idle(office, "the ledger queries");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *raw = (const char *)data;
    int raw_ok = read_checked(raw, size, "export_read");
    char *again = resign(data, size);
    const char *input = raw;
    int input_ok = raw_ok;
    if (again && memcmp(again, raw, size) != 0) {
        input = again;
        input_ok = read_checked(again, size, "export_read (re-signed)");
    }
    if (input_ok == 0 || fuzz_hash(data, size) % 8 == 0)
        office_import(input, size, input_ok);
    free(again);
    return 0;
}
