/* check_csvrows.c - the CSV row reader: rows, line numbers, limits, messages. */
#include "csvrows.h"
#include "i18n.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the callback saw: each row as "LINE:f1|f2|…". */
typedef struct seen {
    csvrows *r;
    char text[2048];
    int fail_on; /* fail the row starting on this line (0: none) */
} seen;

static void on_row(void *user, char **fields, size_t n, size_t line)
{
    seen *s = user;
    size_t at = strlen(s->text);
    at += (size_t)snprintf(s->text + at, sizeof s->text - at, "%zu:", line);
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(s->text + at, sizeof s->text - at, "%s%s", i ? "|" : "",
                               fields[i]);
    snprintf(s->text + at, sizeof s->text - at, ";");
    if (fields[0][0] == 'T') { /* the callback may take a field */
        free(fields[0]);
        fields[0] = NULL;
    }
    if ((int)line == s->fail_on)
        csvrows_fail(s->r, line, "row refused: %s", fields[n - 1]);
}

static csvrows_opts base(void)
{
    return (csvrows_opts){
        .label = "f.csv",
        .max_fields = 4,
        .field_bytes_max = 16,
        .too_many = N_("more than %d fields"),
        .too_long = N_("a field of more than %d bytes"),
        .malformed = N_("malformed CSV: %s"),
        .unclosed = N_("a quoted field opened here is never closed"),
        .stray_bom = N_("%s, line %zu: a byte-order mark after the start of the file "
                        "(two files joined together?)"),
    };
}

/* Reads text with opts; returns the reader's result, s->text the rows. */
static int read_with(const csvrows_opts *o, const char *text, size_t len, seen *s, mp_err *err)
{
    memset(s->text, 0, sizeof s->text);
    err->msg[0] = '\0';
    s->r = csvrows_create(o, err);
    ck_assert_ptr_nonnull(s->r);
    int rc = csvrows_read(s->r, text, len, on_row, s);
    ck_assert_int_eq(rc < 0, csvrows_failed(s->r));
    csvrows_destroy(s->r);
    s->r = NULL;
    return rc;
}

#define READ(o, lit, s, e) read_with(o, lit, sizeof(lit) - 1, s, e)

START_TEST(test_rows_and_lines)
{
    csvrows_opts o = base();
    seen s = {0};
    mp_err e;
    /* Blank rows are skipped; a quoted field over two lines is numbered by
     * its first line; the line after it is counted right. */
    ck_assert_int_eq(READ(&o, "a,b\n\n , \n\" \",\n\"x\ny\",z\n#c,d\nTake,it", &s, &e), 0);
    ck_assert_str_eq(s.text, "1:a|b;4: |;5:x\ny|z;7:#c|d;8:Take|it;");
    /* Comments skipped only when asked; quoted spaces trimmed when asked
     * (libcsv trims unquoted fields itself). */
    o.comments = 1;
    o.trim = CSVROWS_TRIM_SPACES;
    ck_assert_int_eq(READ(&o, "a,b\n\" \",\n#c,d\n\"  e \",\"\tf \"\n", &s, &e), 0);
    ck_assert_str_eq(s.text, "1:a|b;4:e|\tf;");
    o.comments = 0;
    o.trim = CSVROWS_TRIM_END;
    ck_assert_int_eq(READ(&o, "\"a \t\r\"\r\n\" \t\",\r\n\" c\t\",d\n", &s, &e), 0);
    ck_assert_str_eq(s.text, "1:a;3: c|d;");
}
END_TEST

START_TEST(test_lone_cr)
{
    csvrows_opts o = base();
    seen s = {0};
    mp_err e;
    o.lone_cr = 1;
    ck_assert_int_eq(READ(&o, "a\rb\r\nc\r\"d\re\"\r,", &s, &e), 0);
    ck_assert_str_eq(s.text, "1:a;2:b;3:c;4:d\ne;");
    /* Without the option a lone CR is libcsv's row end but not a line. */
    o.lone_cr = 0;
    ck_assert_int_eq(READ(&o, "a\rb\nc", &s, &e), 0);
    ck_assert_str_eq(s.text, "1:a;1:b;2:c;");
}
END_TEST

START_TEST(test_problems)
{
    csvrows_opts o = base();
    seen s = {0};
    mp_err e;
    ck_assert_int_eq(READ(&o, "a\n1,2,3,4,5\nb\n", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv, line 2: more than 4 fields");
    ck_assert_str_eq(s.text, "1:a;");
    ck_assert_int_eq(READ(&o, "a\nb\"c\n", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv, line 2: malformed CSV: "
                            "error parsing data while strict checking enabled");
    ck_assert_int_eq(READ(&o, "a\n\n\"b\n\nc\n", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv, line 3: a quoted field opened here is never closed");
    /* A long field is caught in pieces... */
    ck_assert_int_eq(READ(&o, "a\n\"0123456789abcdef0123456789abcdef\"\n", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv, line 2: a field of more than 16 bytes");
    /* ...or, a line at a time, after its line. */
    o.whole_lines = 1;
    ck_assert_int_eq(READ(&o, "0123456789abcdefXYZ\n\"x\n0123456789abcdefXYZ\n\"", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv, line 2: a field of more than 16 bytes");
    ck_assert_str_eq(s.text, "1:0123456789abcdefXYZ;");
    ck_assert_int_eq(READ(&o, "a\n\"b\0c\"\n", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv, line 2: the file contains a NUL byte");
    /* The callback's problem, once; the first one wins, with the suffix. */
    o.nothing_imported = 1;
    s.fail_on = 2;
    ck_assert_int_eq(READ(&o, "a\nb,\x1B\n1,2,3,4,5\n", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv, line 2: row refused: ?; nothing was imported");
    ck_assert_str_eq(s.text, "1:a;2:b|\x1B;");
}
END_TEST

START_TEST(test_utf8_checks)
{
    csvrows_opts o = base();
    o.utf8_checks = 1;
    seen s = {0};
    mp_err e;
    ck_assert_int_eq(READ(&o, "\xEF\xBB\xBF", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv is empty");
    ck_assert_int_eq(READ(&o, "\xEF\xBB\xBF" "a\nb", &s, &e), 0);
    ck_assert_str_eq(s.text, "1:a;2:b;");
    ck_assert_int_eq(READ(&o, "a\nb\n\xEF\xBB\xBF" "c", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv, line 3: a byte-order mark after the start of the file "
                            "(two files joined together?)");
    ck_assert_str_eq(s.text, "");
    ck_assert_int_eq(READ(&o, "a\n\xFF", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv, line 2: not UTF-8 text (save the file as \"CSV UTF-8\")");
    ck_assert_int_eq(READ(&o, "a\nb\0", &s, &e), -1);
    ck_assert_str_eq(e.msg, "f.csv, line 2: the file contains a NUL byte");
}
END_TEST

START_TEST(test_fail_after_read)
{
    csvrows_opts o = base();
    mp_err e;
    csvrows *r = csvrows_create(&o, &e);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(csvrows_failed(r), 0);
    csvrows_fail(r, 9, "late: %d", 1);
    csvrows_fail(r, 3, "later: %d", 2);
    ck_assert_int_eq(csvrows_failed(r), 1);
    ck_assert_str_eq(e.msg, "f.csv, line 9: late: 1");
    csvrows_destroy(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("csvrows");
    TCase *tc = tcase_create("csvrows");
    tcase_add_test(tc, test_rows_and_lines);
    tcase_add_test(tc, test_lone_cr);
    tcase_add_test(tc, test_problems);
    tcase_add_test(tc, test_utf8_checks);
    tcase_add_test(tc, test_fail_after_read);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
