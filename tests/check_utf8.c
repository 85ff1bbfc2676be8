/* check_utf8.c - strict UTF-8: what decodes, what is refused (overlong
 * forms, surrogates, beyond U+10FFFF, cut sequences), counting printable
 * text and making untrusted text printable. */
#include "testutil.h"
#include "utf8.h"

#include <check.h>
#include <string.h>

static void decodes(const char *s, size_t n, uint32_t want)
{
    uint32_t cp = 0xFFFFFFFF;
    ck_assert_uint_eq(utf8_decode(s, strlen(s), &cp), n);
    ck_assert_uint_eq(cp, want);
}

static void refused(const char *s, size_t len)
{
    uint32_t cp;
    ck_assert_msg(utf8_decode(s, len, &cp) == 0, "accepted %02x %02x", (unsigned char)s[0],
                  len > 1 ? (unsigned char)s[1] : 0);
}

START_TEST(test_decode)
{
    decodes("A", 1, 0x41);
    decodes("\xC3\xA9", 2, 0xE9);           /* é */
    decodes("民", 3, 0x6C11);
    decodes("\xF0\x9F\x98\x80", 4, 0x1F600);
    decodes("\xF4\x8F\xBF\xBF", 4, 0x10FFFF); /* the last code point */
    /* Only the first code point is taken. */
    decodes("民评", 3, 0x6C11);
}
END_TEST

START_TEST(test_refused)
{
    refused("", 0);
    refused("\x80", 1);                     /* a continuation byte first */
    refused("\xC0\xAF", 2);                 /* overlong '/' */
    refused("\xE0\x80\xAF", 3);             /* overlong, three bytes */
    refused("\xED\xA0\x80", 3);             /* U+D800, a surrogate */
    refused("\xF4\x90\x80\x80", 4);         /* U+110000 */
    refused("\xF8\x88\x80\x80\x80", 5);     /* five-byte form */
    refused("\xE6\xB0", 2);                 /* cut short */
    refused("\xE6\x41\x91", 3);             /* not a continuation */
    refused("\xE6\xB0\x91", 2);             /* len stops before the end */
}
END_TEST

START_TEST(test_count_printable)
{
    ck_assert_int_eq(utf8_count_printable(""), 0);
    ck_assert_int_eq(utf8_count_printable("GA01"), 4);
    ck_assert_int_eq(utf8_count_printable("县公安局"), 4);
    ck_assert_int_eq(utf8_count_printable("a\tb"), -1);
    ck_assert_int_eq(utf8_count_printable("a\x7F"), -1);
    ck_assert_int_eq(utf8_count_printable("\xE5\x8E"), -1);
    /* C1 controls (U+0080-U+009F) are code points here, counted. */
    ck_assert_int_eq(utf8_count_printable("\xC2\x85"), 1);
}
END_TEST

START_TEST(test_make_printable)
{
    char s[] = "ok 县\x1B[31m\xC2\x85\xFF\xE5\x8E!";
    utf8_make_printable(s);
    /* ESC, the C1 control U+0085 (both its bytes), a stray 0xFF and a cut
     * sequence: each byte becomes '?', so the length is kept. */
    ck_assert_str_eq(s, "ok 县?[31m?????" "!"); /* split: no trigraph */
    ck_assert_int_ge(utf8_count_printable(s), 0);
    char t[] = "县\x1B[2J";
    utf8_make_printable(t);
    ck_assert_str_eq(t, "县?[2J");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("utf8");
    tcase_add_test(tc, test_decode);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_count_printable);
    tcase_add_test(tc, test_make_printable);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
