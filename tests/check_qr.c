/* check_qr.c - the survey link (placeholders, percent-encoding) and the QR
 * code's geometry.  Decoding the code back is done by zbarimg elsewhere. */
#include "testutil.h"
#include "qr.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void expect_payload(const char *tmpl, const char *kiosk, const char *unit,
                           const char *want)
{
    char *out = NULL;
    mp_err err = {{0}};
    ck_assert_msg(qr_payload(tmpl, kiosk, unit, NULL, &out, &err) == 0, "%s", err.msg);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, want);
    free(out);
}

START_TEST(test_payload_replaces)
{
    expect_payload("https://s.example/q?k={kiosk}&u={unit}", "room-01", "GA01",
                   "https://s.example/q?k=room-01&u=GA01");
    expect_payload("{unit}{kiosk}", "k", "u", "uk");
    expect_payload("https://s.example/{kiosk}/{unit}/{kiosk}?again={unit}", "r1", "A01",
                   "https://s.example/r1/A01/r1?again=A01");
}
END_TEST

START_TEST(test_payload_token)
{
    char *out = NULL;
    mp_err err = {{0}};
    /* A token is URL-safe as fu_token writes it: copied as it is. */
    const char *tok = "room-01.0123456789abcdef0123456789abcdef.12.GA01.6.1764900000.a-b_C";
    ck_assert_msg(qr_payload("https://s.example/f/{token}?u={unit}", "room-01", "GA01", tok,
                             &out, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(out, "https://s.example/f/room-01.0123456789abcdef0123456789abcdef.12.GA01."
                          "6.1764900000.a-b_C?u=GA01");
    free(out);
    /* Anything else in it is percent-encoded; no token: empty. */
    ck_assert_int_eq(qr_payload("t={token}", "k", "u", "a/b c", &out, &err), 0);
    ck_assert_str_eq(out, "t=a%2Fb%20c");
    free(out);
    ck_assert_int_eq(qr_payload("t={token}&k={kiosk}", "k", "u", NULL, &out, &err), 0);
    ck_assert_str_eq(out, "t=&k=k");
    free(out);
    ck_assert(qr_wants_token("https://s.example/f/{token}"));
    ck_assert(!qr_wants_token("https://s.example/f/{Token}?k={kiosk}&u={unit}"));
    ck_assert(!qr_wants_token(""));
}
END_TEST

START_TEST(test_payload_without_placeholders)
{
    expect_payload("https://s.example/survey", "room-01", "GA01", "https://s.example/survey");
    expect_payload("", "room-01", "GA01", "");
    /* Near misses stay as they are. */
    expect_payload("https://s.example/{kiosk/{Unit}/{ unit}/{}", "r", "u",
                   "https://s.example/{kiosk/{Unit}/{ unit}/{}");
}
END_TEST

START_TEST(test_payload_percent_encodes)
{
    /* Unreserved characters (RFC 3986) stay; everything else is %XX, upper case. */
    expect_payload("k={kiosk}", "aZ09-_.~", "", "k=aZ09-_.~");
    expect_payload("k={kiosk}&u={unit}", "room 1/2", "A&B=C?#%+",
                   "k=room%201%2F2&u=A%26B%3DC%3F%23%25%2B");
    /* UTF-8, byte by byte. */
    expect_payload("u={unit}", "k", "县局", "u=%E5%8E%BF%E5%B1%80");
    /* A value that looks like a placeholder is not expanded again. */
    expect_payload("{kiosk}{unit}", "{unit}", "x", "%7Bunit%7Dx");
    expect_payload("{kiosk}|{unit}", "", "", "|");
}
END_TEST

static int finder_at(const qr_code *qr, int x0, int y0)
{
    /* A 7x7 finder pattern: dark ring, light ring, dark 3x3 centre. */
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 7; x++) {
            int ring = x == 0 || x == 6 || y == 0 || y == 6;
            int centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
            int want = ring || centre;
            if (qr->dark[(y0 + y) * qr->width + x0 + x] != want)
                return 0;
        }
    return 1;
}

START_TEST(test_encode_geometry)
{
    static const char *const texts[] = {
        "x",
        "https://s.example/q?k=room-01&u=GA01",
        "https://survey.example.org/minping?kiosk=demo-reading-room&unit=RS01&lang=zh-CN&from=kiosk",
    };
    int prev = 0;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        qr_code *qr = NULL;
        mp_err err = {{0}};
        ck_assert_msg(qr_encode(texts[i], &qr, &err) == 0, "%s", err.msg);
        ck_assert_ptr_nonnull(qr);
        /* Version v has 17 + 4v modules a side: 21, 25, ... 177. */
        ck_assert_int_ge(qr->width, 21);
        ck_assert_int_le(qr->width, 177);
        ck_assert_int_eq((qr->width - 21) % 4, 0);
        ck_assert_int_ge(qr->width, prev); /* longer text, no smaller code */
        prev = qr->width;
        int dark = 0;
        for (int m = 0; m < qr->width * qr->width; m++) {
            ck_assert_msg(qr->dark[m] == 0 || qr->dark[m] == 1, "module %d is %d", m, qr->dark[m]);
            dark += qr->dark[m];
        }
        ck_assert_int_gt(dark, qr->width * qr->width / 4);
        ck_assert_int_lt(dark, qr->width * qr->width * 3 / 4);
        ck_assert(finder_at(qr, 0, 0));
        ck_assert(finder_at(qr, qr->width - 7, 0));
        ck_assert(finder_at(qr, 0, qr->width - 7));
        ck_assert(!finder_at(qr, qr->width - 7, qr->width - 7));
        qr_free(qr);
    }
    ck_assert_int_gt(prev, 21);
}
END_TEST

START_TEST(test_encode_too_long)
{
    size_t n = 8000; /* more than a version 40 code holds */
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, 'a', n);
    text[n] = '\0';
    qr_code *qr = NULL;
    mp_err err = {{0}};
    ck_assert_int_eq(qr_encode(text, &qr, &err), -1);
    ck_assert_ptr_null(qr);
    ck_assert_str_eq(err.msg, "cannot encode the survey link as a QR code (too long?)");
    free(text);
    qr_free(NULL);
}
END_TEST

START_TEST(test_module_px)
{
    qr_code qr = {.width = 25, .dark = NULL}; /* 25 + 2 * 4 quiet = 33 modules */
    ck_assert_int_eq(qr_module_px(&qr, 330), 10);
    ck_assert_int_eq(qr_module_px(&qr, 329), 9);
    ck_assert_int_eq(qr_module_px(&qr, 33), 1);
    ck_assert_int_eq(qr_module_px(&qr, 32), 0);
    ck_assert_int_eq(qr_module_px(&qr, 0), 0);
    ck_assert_int_eq(qr_module_px(&qr, -100), 0);
    qr.width = 21; /* 29 with the quiet zone */
    ck_assert_int_eq(qr_module_px(&qr, 600), 20);
    ck_assert_int_eq(qr_module_px(&qr, 579), 19);
}
END_TEST

static Suite *qr_suite(void)
{
    Suite *s = suite_create("qr");
    TCase *tc = tcase_create("payload");
    tcase_add_test(tc, test_payload_replaces);
    tcase_add_test(tc, test_payload_without_placeholders);
    tcase_add_test(tc, test_payload_token);
    tcase_add_test(tc, test_payload_percent_encodes);
    suite_add_tcase(s, tc);
    tc = tcase_create("code");
    tcase_add_test(tc, test_encode_geometry);
    tcase_add_test(tc, test_encode_too_long);
    tcase_add_test(tc, test_module_px);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(qr_suite());
}
