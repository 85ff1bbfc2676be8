/* check_pin.c - staff PINs: format, hashing and verification, and the
 * lockout after repeated wrong entries. */
#include "testutil.h"
#include "config.h"
#include "embed.h"
#include "pin.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_format)
{
    static const char *const good[] = {"1234", "0000", "123456789012", "90817263"};
    static const char *const bad[] = {"",      "123",   "1234567890123", "12a4", " 1234",
                                      "1234 ", "12 34", "-1234",         "１２３４", "1234\n"};
    mp_err err = {{0}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(pin_check_format(good[i], &err) == 0, "\"%s\": %s", good[i], err.msg);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(pin_check_format(bad[i], &err) == -1, "\"%s\" accepted", bad[i]);
    ck_assert_int_eq(pin_check_format("123", &err), -1);
    ck_assert_str_eq(err.msg, "PIN must have 4 to 12 digits");
    ck_assert_int_eq(pin_check_format("12a4", &err), -1);
    ck_assert_str_eq(err.msg, "PIN must contain digits only (the kiosk's pad has 0-9)");
}
END_TEST

START_TEST(test_hash_and_verify)
{
    char hash[PIN_HASH_MAX];
    mp_err err = {{0}};
    ck_assert_msg(pin_hash("482915", hash, &err) == 0, "%s", err.msg);
    ck_assert_msg(strncmp(hash, "$argon2id$", 10) == 0, "hash \"%s\"", hash);
    /* The parameters that bound the kiosk's memory at PIN entry (7 MiB). */
    ck_assert_msg(strncmp(hash, "$argon2id$v=19$m=7168,t=5,p=1$", 30) == 0, "hash \"%s\"", hash);
    ck_assert_ptr_null(strstr(hash, "482915"));
    ck_assert_int_eq(pin_verify(hash, "482915"), 1);
    ck_assert_int_eq(pin_verify(hash, "482916"), 0);
    ck_assert_int_eq(pin_verify(hash, "48291"), 0);
    ck_assert_int_eq(pin_verify(hash, "4829150"), 0);
    ck_assert_int_eq(pin_verify(hash, ""), 0);

    /* Salted: the same PIN hashes differently each time. */
    char again[PIN_HASH_MAX];
    ck_assert_int_eq(pin_hash("482915", again, &err), 0);
    ck_assert_str_ne(hash, again);
    ck_assert_int_eq(pin_verify(again, "482915"), 1);
    /* Hashes made before, with libsodium's 64 MiB "interactive" setting,
     * still verify (the demo PIN 1234). */
    ck_assert_int_eq(pin_verify("$argon2id$v=19$m=65536,t=2,p=1$feQAnoiWdmsCD6pVDJgQTA$"
                                "Tg3NMQ7OWiDSeLS2rz9UBFFmQfAML7ZAiVPbfM00x+4",
                                "1234"),
                     1);

    /* A hash the kiosk's config accepts. */
    char text[512];
    snprintf(text, sizeof text,
             "[kiosk]\nid = k\nsurvey_url = https://s.example/\npin_hash = %s\n[units]\nA = 甲\n",
             hash);
    kiosk_config *cfg = NULL;
    ck_assert_msg(config_parse(text, strlen(text), "t.ini", NULL, &cfg, &err) == 0, "%s",
                  err.msg);
    config_free(cfg);
}
END_TEST

START_TEST(test_hash_refuses_bad_pin)
{
    char hash[PIN_HASH_MAX] = "unchanged";
    mp_err err = {{0}};
    ck_assert_int_eq(pin_hash("12", hash, &err), -1);
    ck_assert_str_eq(err.msg, "PIN must have 4 to 12 digits");
    ck_assert_int_eq(pin_hash("abcd", hash, &err), -1);
    ck_assert_str_eq(hash, "unchanged");
}
END_TEST

START_TEST(test_malformed_hash)
{
    ck_assert_int_eq(pin_verify("", "1234"), 0);
    ck_assert_int_eq(pin_verify("1234", "1234"), 0);
    ck_assert_int_eq(pin_verify("$argon2id$v=19$m=65536,t=2,p=1$garbage", "1234"), 0);
    ck_assert_int_eq(pin_verify("$argon2id$v=19$m=65536,t=2,p=1$feQAnoiWdmsCD6pVDJgQTA$", "1234"),
                     0);
    ck_assert_int_eq(pin_verify(NULL, "1234"), 0);
    ck_assert_int_eq(pin_verify("$argon2id$", NULL), 0);
}
END_TEST

START_TEST(test_demo_pin)
{
    /* assets/demo-kiosk.ini says its PIN is 1234. */
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    const char *text = demo_config[0].text;
    ck_assert_msg(config_parse(text, strlen(text), "demo", NULL, &cfg, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(pin_verify(cfg->pin_hash, "1234"), 1);
    ck_assert_int_eq(pin_verify(cfg->pin_hash, "4321"), 0);
    config_free(cfg);
}
END_TEST

START_TEST(test_guard_locks_after_five)
{
    pin_guard g = {0};
    int64_t t = 500000;
    ck_assert_int_eq(pin_guard_tries_left(&g), 5);
    ck_assert_int_eq(pin_guard_locked_ms(&g, t), 0);
    for (int i = 1; i <= 4; i++) {
        pin_guard_record(&g, 0, t + i);
        ck_assert_int_eq(pin_guard_tries_left(&g), 5 - i);
        ck_assert_int_eq(pin_guard_locked_ms(&g, t + i), 0);
    }
    int64_t fifth = t + 5;
    pin_guard_record(&g, 0, fifth);
    ck_assert_int_eq(pin_guard_locked_ms(&g, fifth), PIN_LOCK_MS);
    ck_assert_int_eq(PIN_LOCK_MS, 5 * 60 * 1000);
    ck_assert_int_eq(pin_guard_locked_ms(&g, fifth + 1000), PIN_LOCK_MS - 1000);
    ck_assert_int_eq(pin_guard_locked_ms(&g, fifth + PIN_LOCK_MS - 1), 1);
    ck_assert_int_eq(pin_guard_locked_ms(&g, fifth + PIN_LOCK_MS), 0);
    ck_assert_int_eq(pin_guard_locked_ms(&g, fifth + PIN_LOCK_MS + 60000), 0);
    /* After the lock, a full set of tries again. */
    ck_assert_int_eq(pin_guard_tries_left(&g), 5);
    for (int i = 0; i < 4; i++)
        pin_guard_record(&g, 0, fifth + PIN_LOCK_MS + i);
    ck_assert_int_eq(pin_guard_locked_ms(&g, fifth + PIN_LOCK_MS + 4), 0);
    pin_guard_record(&g, 0, fifth + PIN_LOCK_MS + 4);
    ck_assert_int_eq(pin_guard_locked_ms(&g, fifth + PIN_LOCK_MS + 4), PIN_LOCK_MS);
}
END_TEST

START_TEST(test_guard_success_resets)
{
    pin_guard g = {0};
    for (int i = 0; i < 4; i++)
        pin_guard_record(&g, 0, 1000 + i);
    ck_assert_int_eq(pin_guard_tries_left(&g), 1);
    pin_guard_record(&g, 1, 2000);
    ck_assert_int_eq(pin_guard_tries_left(&g), 5);
    ck_assert_int_eq(pin_guard_locked_ms(&g, 2000), 0);
    /* Four more wrong entries do not lock: the count started again. */
    for (int i = 0; i < 4; i++)
        pin_guard_record(&g, 0, 3000 + i);
    ck_assert_int_eq(pin_guard_locked_ms(&g, 3004), 0);
    ck_assert_int_eq(pin_guard_tries_left(&g), 1);
}
END_TEST

static Suite *pin_suite(void)
{
    Suite *s = suite_create("pin");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_format);
    suite_add_tcase(s, tc);
    tc = tcase_create("hash");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_hash_and_verify);
    tcase_add_test(tc, test_hash_refuses_bad_pin);
    tcase_add_test(tc, test_malformed_hash);
    tcase_add_test(tc, test_demo_pin);
    suite_add_tcase(s, tc);
    tc = tcase_create("guard");
    tcase_add_test(tc, test_guard_locks_after_five);
    tcase_add_test(tc, test_guard_success_resets);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(pin_suite());
}
