/* fuzz_salvage.c - libFuzzer target: the bytes of a damaged kiosk database
 * and its write-ahead log, as store_open_salvage reads them
 * (store_salvage_bytes, the same reader without the file system).
 *
 * Input: 4 bytes, little-endian, the length of the database part (cut to
 * what there is), then the database file's bytes, then the WAL's.  A
 * failure must explain itself in one line without control characters; a
 * success must give a read-only store whose every vote has the form the
 * kiosk stores, in ascending seq, signed as the instance reported, with
 * the counts of the info adding up.
 */
#include "fuzzutil.h"
#include "hexid.h"
#include "rating.h"
#include "store.h"
#include "store_int.h"

#include <inttypes.h>
#include <string.h>

typedef struct walk {
    const char *instance;
    int64_t n, last_seq;
} walk;

static int check_row(void *user, const store_vote_row *r)
{
    walk *w = user;
    FUZZ_CHECK(r->seq > w->last_seq, "seq %" PRId64 " after %" PRId64, r->seq, w->last_seq);
    FUZZ_CHECK(strcmp(r->instance, w->instance) == 0, "a vote of instance %s", r->instance);
    FUZZ_CHECK(hexid_is_uuid(r->uuid, strlen(r->uuid)), "uuid \"%s\"", r->uuid);
    FUZZ_CHECK(rating_by_points(r->points) != NULL, "points %d", r->points);
    FUZZ_CHECK(r->flagged == 0 || r->flagged == 1, "flagged %d", r->flagged);
    FUZZ_CHECK(config_check_unit_code(r->unit_code, NULL) == 0, "unit code");
    FUZZ_CHECK(config_check_unit_name(r->unit_name, NULL) == 0, "unit name");
    w->last_seq = r->seq;
    w->n++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t dblen = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 |
                   (size_t)data[3] << 24;
    data += 4;
    size -= 4;
    if (dblen > size)
        dblen = size;
    store *s = NULL;
    store_salvage_info info;
    mp_err err = {{0}};
    int rc = store_salvage_bytes(data, dblen, data + dblen, size - dblen, "fuzz.db", &s, &info,
                                 &err);
    if (rc < 0) {
        FUZZ_CHECK(s == NULL, "a failure returned a store");
        fuzz_check_message(&err, "store_salvage_bytes");
        return 0;
    }
    FUZZ_CHECK(s != NULL, "no store");
    FUZZ_CHECK(info.rows > 0, "success with %" PRId64 " votes", info.rows);
    FUZZ_CHECK(strlen(info.instance) == 32 && hexid_is_lower(info.instance, 32),
               "instance \"%s\"", info.instance);
    FUZZ_CHECK(strcmp(store_instance(s), info.instance) == 0, "the store's instance differs");
    FUZZ_CHECK(info.first_seq >= 1 && info.first_seq <= info.last_seq, "seqs %" PRId64 "-%" PRId64,
               info.first_seq, info.last_seq);
    FUZZ_CHECK(info.missing == info.last_seq - info.first_seq + 1 - info.rows && info.missing >= 0,
               "%" PRId64 " missing", info.missing);
    FUZZ_CHECK(info.other_instance >= 0 && info.wal_frames >= 0, "negative counts");
    walk w = {info.instance, 0, 0};
    FUZZ_CHECK(store_each_vote(s, check_row, &w, &err) == 0, "store_each_vote: %s", err.msg);
    FUZZ_CHECK(w.n == info.rows, "%" PRId64 " votes in the store, %" PRId64 " reported", w.n,
               info.rows);
    FUZZ_CHECK(store_add_vote(s, "GA01", "县公安局", 10, 0, FUZZ_NOW, 0, NULL, &err) < 0,
               "a salvaged store took a vote");
    store_close(s);
    return 0;
}
