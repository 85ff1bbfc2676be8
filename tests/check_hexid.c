/* check_hexid.c - the forms of hex identifiers and UUIDs. */
#include "testutil.h"
#include "hexid.h"

#include <check.h>
#include <string.h>

START_TEST(test_lower_hex)
{
    ck_assert_int_eq(hexid_is_lower("0123456789abcdef", 16), 1);
    ck_assert_int_eq(hexid_is_lower("", 0), 1);
    ck_assert_int_eq(hexid_is_lower("0123456789ABCDEF", 16), 0);
    ck_assert_int_eq(hexid_is_lower("abcg", 4), 0);
    ck_assert_int_eq(hexid_is_lower("ab cd", 5), 0);
    ck_assert_int_eq(hexid_is_lower("ab\0cd", 5), 0);
    /* Only the n bytes given are looked at. */
    ck_assert_int_eq(hexid_is_lower("abXX", 2), 1);
}
END_TEST

START_TEST(test_uuid)
{
    const char *good = "0f8fad5b-d9cb-469f-a165-70867728950e";
    ck_assert_int_eq(hexid_is_uuid(good, strlen(good)), 1);
    static const char *const bad[] = {
        "0F8FAD5B-D9CB-469F-A165-70867728950E", /* uppercase */
        "0f8fad5bd9cb469fa16570867728950e",     /* no dashes */
        "0f8fad5b-d9cb-469f-a165-70867728950",  /* short */
        "0f8fad5b-d9cb-469f-a165-70867728950e0",
        "0f8fad5b-d9cb-469f-a165_70867728950e",
        "0f8fad5b-d9cb-469f-a16-570867728950e", /* a dash out of place */
        "{0f8fad5b-d9cb-469f-a165-70867728950}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(hexid_is_uuid(bad[i], strlen(bad[i])) == 0, "\"%s\" accepted", bad[i]);
    ck_assert_int_eq(hexid_is_uuid(good, 35), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hexid");
    TCase *tc = tcase_create("hexid");
    tcase_add_test(tc, test_lower_hex);
    tcase_add_test(tc, test_uuid);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
