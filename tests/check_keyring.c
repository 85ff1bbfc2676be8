/* check_keyring.c - the kiosks' public keys in the office database: added
 * with the kiosk, found by kiosk and key id, old keys kept, the same key
 * twice harmless, a key for an unknown kiosk refused, a damaged stored key
 * reported. */
#include "testutil.h"
#include "export.h"
#include "keyring.h"
#include "officedb.h"

#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define NOW 1795737600

/* A key pair from a fixed seed byte: the same keys every run. */
static void key_from(unsigned char seed_byte, sign_key *k)
{
    unsigned char seed[crypto_sign_SEEDBYTES];
    memset(seed, seed_byte, sizeof seed);
    ck_assert_int_eq(crypto_sign_seed_keypair(k->pk, k->sk, seed), 0);
    sign_key_id(k->pk, k->id);
}

static sqlite3 *db;
static registry *reg;

static void setup(void)
{
    ck_assert_int_ge(sodium_init(), 0);
    reg = odb_open();
    db = registry_sqlite(reg);
}

static void teardown(void)
{
    registry_close(reg);
}

START_TEST(test_add_and_lookup)
{
    sign_key k1, k2;
    key_from(1, &k1);
    key_from(2, &k2);
    ck_assert_str_ne(k1.id, k2.id); /* two fixed seeds, checked once here */
    kiosk_config *cfg = odb_kiosk("room-01", "GA01=县公安局\n");
    mp_err err = {{0}};
    ck_assert_msg(odb_provision(db, cfg, k1.pk, NOW, &err) == 0, "%s", err.msg);
    unsigned char pk[SIGN_PK_BYTES];
    ck_assert_int_eq(keyring_lookup(db, "room-01", k1.id, pk, &err), 1);
    ck_assert_int_eq(memcmp(pk, k1.pk, SIGN_PK_BYTES), 0);
    ck_assert_int_eq(keyring_lookup(db, "room-01", k2.id, pk, &err), EXPORT_KEY_OTHER);
    ck_assert_int_eq(keyring_lookup(db, "room-02", k1.id, pk, &err), 0);

    /* Provisioned again with a new key: both keys verify. */
    ck_assert_msg(odb_provision(db, cfg, k2.pk, NOW + 60, &err) == 0, "%s", err.msg);
    int n = 0;
    ck_assert_msg(keyring_count(db, "room-01", &n, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(keyring_lookup(db, "room-01", k1.id, pk, &err), 1);
    ck_assert_int_eq(keyring_lookup(db, "room-01", k2.id, pk, &err), 1);
    ck_assert_int_eq(memcmp(pk, k2.pk, SIGN_PK_BYTES), 0);

    /* The same key again changes nothing. */
    ck_assert_msg(keyring_add(db, "room-01", k2.pk, NOW + 120, &err) == 0, "%s", err.msg);
    ck_assert_msg(keyring_count(db, "room-01", &n, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(n, 2);
    config_free(cfg);
}
END_TEST

START_TEST(test_unknown_kiosk_refused)
{
    sign_key k;
    key_from(3, &k);
    mp_err err = {{0}};
    ck_assert_int_eq(keyring_add(db, "nobody", k.pk, NOW, &err), -1);
    ck_assert_msg(strstr(err.msg, "cannot record the kiosk's key"), "%s", err.msg);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM kiosk_keys"), 0);
    int n = -1;
    ck_assert_msg(keyring_count(db, "nobody", &n, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_damaged_key_reported)
{
    sign_key k;
    key_from(4, &k);
    kiosk_config *cfg = odb_kiosk("room-01", "GA01=县公安局\n");
    mp_err err = {{0}};
    ck_assert_msg(odb_provision(db, cfg, k.pk, NOW, &err) == 0, "%s", err.msg);
    /* The key filed under k's id is replaced by another one. */
    sign_key other;
    key_from(5, &other);
    char b64[sodium_base64_ENCODED_LEN(SIGN_PK_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, other.pk, SIGN_PK_BYTES, sodium_base64_VARIANT_ORIGINAL);
    char sql[300];
    snprintf(sql, sizeof sql, "UPDATE kiosk_keys SET public_key = '%s'", b64);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    unsigned char pk[SIGN_PK_BYTES];
    ck_assert_int_eq(keyring_lookup(db, "room-01", k.id, pk, &err), -1);
    char want[200];
    snprintf(want, sizeof want,
             "the office database's record of key %s of kiosk room-01 is damaged", k.id);
    ck_assert_str_eq(err.msg, want);
    config_free(cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("keyring");
    TCase *tc = tcase_create("keyring");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_add_and_lookup);
    tcase_add_test(tc, test_unknown_kiosk_refused);
    tcase_add_test(tc, test_damaged_key_reported);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
