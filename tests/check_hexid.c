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

/* Every byte value at every place of a UUID: only a lowercase hex digit
 * where the digits go and a dash where the dashes go. */
START_TEST(test_uuid_every_byte)
{
    char s[37];
    for (int pos = 0; pos < 36; pos++) {
        int dash_place = pos == 8 || pos == 13 || pos == 18 || pos == 23;
        for (int c = 0; c < 256; c++) {
            memcpy(s, "0f8fad5b-d9cb-469f-a165-70867728950e", 37);
            s[pos] = (char)c;
            int want = dash_place ? c == '-'
                                  : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            ck_assert_msg(hexid_is_uuid(s, 36) == want, "byte 0x%02x at %d: %d", c, pos, !want);
            if (!dash_place)
                ck_assert_int_eq(hexid_is_lower(s + pos, 1), want);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hexid");
    TCase *tc = tcase_create("hexid");
    tcase_add_test(tc, test_lower_hex);
    tcase_add_test(tc, test_uuid);
    tcase_add_test(tc, test_uuid_every_byte);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
