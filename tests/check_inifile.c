/* check_inifile.c - the INI reader: lines counted, lines refused, the first problem reported. */
#include "inifile.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

/* The handler: keys as "line:[section]name=value;", and a problem for any
 * key named "bad". */
typedef struct seen {
    inifile ini;
    char text[1024];
} seen;

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    seen *s = user;
    size_t at = strlen(s->text);
    snprintf(s->text + at, sizeof s->text - at, "%d:[%s]%s=%s;", s->ini.line, section, name,
             value);
    if (strcmp(name, "bad") == 0)
        return inifile_fail(&s->ini, strcmp(value, "-") ? name : NULL, value);
    return 1;
}

static int parse(const char *text, size_t len, int skip_bom, seen *s, mp_err *err)
{
    memset(s, 0, sizeof *s);
    err->msg[0] = '\0';
    inifile_init(&s->ini, text, len, "t.ini", skip_bom, err);
    return inifile_parse(&s->ini, on_key, s);
}

#define PARSE(lit, bom, s, e) parse(lit, sizeof(lit) - 1, bom, s, e)

START_TEST(test_lines)
{
    seen s;
    mp_err e;
    ck_assert_int_eq(PARSE("[a]\r\nx = 1\r\n\n; note\ny=2", 0, &s, &e), 0);
    ck_assert_str_eq(s.text, "2:[a]x=1;5:[a]y=2;");
    ck_assert_int_eq(PARSE("", 0, &s, &e), 0);
    ck_assert_str_eq(s.text, "");
}
END_TEST

START_TEST(test_refused_lines)
{
    seen s;
    mp_err e;
    char text[512];
    /* 199 bytes pass (a CR before the newline not counted), 200 do not. */
    snprintf(text, sizeof text, "[a]\nk=%0197d\r\n", 0);
    ck_assert_int_eq(parse(text, strlen(text), 0, &s, &e), 0);
    snprintf(text, sizeof text, "[a]\nk=1\nk=%0198d\nk=2\n", 0);
    ck_assert_int_eq(parse(text, strlen(text), 0, &s, &e), -1);
    ck_assert_str_eq(e.msg, "t.ini:3: line is longer than 199 bytes");
    ck_assert_str_eq(s.text, "2:[a]k=1;");
    ck_assert_int_eq(PARSE("[a]\nk=1\0\nk=2\n", 0, &s, &e), -1);
    ck_assert_str_eq(e.msg, "t.ini:2: line contains a NUL byte");
    ck_assert_str_eq(s.text, "");
    /* A byte-order mark counts toward the first line unless skipped. */
    snprintf(text, sizeof text, "\xEF\xBB\xBFk=%0197d\n", 0);
    ck_assert_int_eq(parse(text, strlen(text), 0, &s, &e), -1);
    ck_assert_str_eq(e.msg, "t.ini:1: line is longer than 199 bytes");
    ck_assert_int_eq(parse(text, strlen(text), 1, &s, &e), 0);
    ck_assert_int_eq(strncmp(s.text, "1:[]k=000", 9), 0);
}
END_TEST

START_TEST(test_first_problem)
{
    seen s;
    mp_err e;
    char text[512];
    /* The handler's problem before a malformed line and a refused one. */
    snprintf(text, sizeof text, "[a]\nbad = why\x1B\nnot ini\nk=%0198d\n", 0);
    ck_assert_int_eq(parse(text, strlen(text), 0, &s, &e), -1);
    ck_assert_str_eq(e.msg, "t.ini:2: bad: why?");
    /* A malformed line before the handler's problem. */
    ck_assert_int_eq(PARSE("[a]\nnot ini\nbad = -\nbad = 2\n", 0, &s, &e), -1);
    ck_assert_str_eq(e.msg, "t.ini:2: not a valid INI line (expected \"key = value\" or "
                            "\"[section]\")");
    /* The first handler problem only, without a key when given none. */
    ck_assert_int_eq(PARSE("[a]\nk=1\nbad = -\nbad = 2\n", 0, &s, &e), -1);
    ck_assert_str_eq(e.msg, "t.ini:3: -");
    ck_assert_int_eq(s.ini.failed, 1);
    ck_assert_int_eq(s.ini.fail_line, 3);
    /* A refused line after a malformed one. */
    snprintf(text, sizeof text, "[a]\nnot ini\nk=%0198d\n", 0);
    ck_assert_int_eq(parse(text, strlen(text), 0, &s, &e), -1);
    ck_assert_str_eq(e.msg, "t.ini:2: not a valid INI line (expected \"key = value\" or "
                            "\"[section]\")");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("inifile");
    TCase *tc = tcase_create("inifile");
    tcase_add_test(tc, test_lines);
    tcase_add_test(tc, test_refused_lines);
    tcase_add_test(tc, test_first_problem);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
