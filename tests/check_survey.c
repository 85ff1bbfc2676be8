/* check_survey.c - the pieces of the online survey server that need no
 * HTTP: form fields, form tokens, the address counters, escaping and the
 * pages, survey.ini, follow-ups, the kiosk schema's second migration, and
 * the writer that commits concurrent votes together. */
#include "csrf.h"
#include "embed.h"
#include "export.h"
#include "sign.h"
#include "flags.h"
#include "followup.h"
#include "form.h"
#include "fu_token.h"
#include "html.h"
#include "pages.h"
#include "store.h"
#include "store_tx.h"
#include "survey_config.h"
#include "testutil.h"
#include "writer.h"

#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- form ---- */

START_TEST(form_collects_fields_in_pieces)
{
    form f;
    form_init(&f);
    ck_assert_int_eq(form_feed(&f, "rating", "1", 0, 1), 0);
    ck_assert_int_eq(form_feed(&f, "rating", "0", 1, 1), 0);
    ck_assert_int_eq(form_feed(&f, "reason", "办事", 0, 6), 0);
    ck_assert_int_eq(form_feed(&f, "reason", "效率低", 6, 9), 0);
    ck_assert_int_eq(form_feed(&f, "reason", "其他", 0, 6), 0);
    ck_assert_int_eq(form_feed(&f, "comment", "ab\r\ncd", 0, 6), 0);
    ck_assert_int_eq(form_feed(&f, "unknown", "zzz", 0, 3), 0);
    ck_assert_int_eq(form_feed(&f, "vote", "42", 0, 2), 0);
    ck_assert_int_eq(form_rating(&f), 10);
    ck_assert_uint_eq(f.n_reasons, 2);
    ck_assert_str_eq(f.reasons[0], "办事效率低");
    ck_assert_str_eq(f.reasons[1], "其他");
    ck_assert_uint_eq(f.comment_len, 6);
    ck_assert_int_eq(form_vote_seq(&f), 42);
    ck_assert_int_eq(f.overflow, 0);
}
END_TEST

START_TEST(form_refuses_what_does_not_fit)
{
    form f;
    form_init(&f);
    char big[FORM_SHORT + 1];
    memset(big, 'a', sizeof big);
    ck_assert_int_eq(form_feed(&f, "csrf", big, 0, sizeof big), -1);
    ck_assert_int_eq(f.overflow, 1);
    /* Once overflowed, everything is refused. */
    ck_assert_int_eq(form_feed(&f, "rating", "8", 0, 1), -1);

    form_init(&f);
    for (int i = 0; i < FORM_REASONS_MAX; i++)
        ck_assert_int_eq(form_feed(&f, "reason", "x", 0, 1), 0);
    ck_assert_int_eq(form_feed(&f, "reason", "x", 0, 1), -1);

    form_init(&f);
    char comment[FORM_COMMENT_RAW];
    memset(comment, 'c', sizeof comment);
    ck_assert_int_eq(form_feed(&f, "comment", comment, 0, sizeof comment - 1), 0);
    ck_assert_int_eq(form_feed(&f, "comment", "c", sizeof comment - 1, 1), -1);
    /* A piece that claims an offset past the field. */
    form_init(&f);
    ck_assert_int_eq(form_feed(&f, "vote", "1", (uint64_t)1 << 40, 1), -1);
}
END_TEST

START_TEST(form_rating_is_exactly_one_of_four)
{
    const char *good[] = {"10", "8", "6", "0"};
    const int pts[] = {10, 8, 6, 0};
    const char *bad[] = {"", "9", "010", "10 ", "+8", "-0", "1e1", "六", "00"};
    form f;
    for (int i = 0; i < 4; i++) {
        form_init(&f);
        form_feed(&f, "rating", good[i], 0, strlen(good[i]));
        ck_assert_int_eq(form_rating(&f), pts[i]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        form_init(&f);
        form_feed(&f, "rating", bad[i], 0, strlen(bad[i]));
        ck_assert_msg(form_rating(&f) == -1, "rating \"%s\" accepted", bad[i]);
    }
    form_init(&f);
    ck_assert_int_eq(form_rating(&f), -1);
    const char *bad_seq[] = {"", "0", "-1", "01", "1x", "9999999999999999"};
    for (size_t i = 0; i < sizeof bad_seq / sizeof bad_seq[0]; i++) {
        form_init(&f);
        form_feed(&f, "vote", bad_seq[i], 0, strlen(bad_seq[i]));
        ck_assert_msg(form_vote_seq(&f) == -1, "vote \"%s\" accepted", bad_seq[i]);
    }
}
END_TEST

START_TEST(cookie_values)
{
    ck_assert(form_cookie_ok("0123456789abcdef0123456789abcdef"));
    ck_assert(!form_cookie_ok(NULL));
    ck_assert(!form_cookie_ok(""));
    ck_assert(!form_cookie_ok("0123456789ABCDEF0123456789abcdef"));
    ck_assert(!form_cookie_ok("0123456789abcdef0123456789abcde"));
    ck_assert(!form_cookie_ok("0123456789abcdef0123456789abcdef0"));
    ck_assert(!form_cookie_ok("0123456789abcdef0123456789abcde'"));
}
END_TEST

/* ---- tokens ---- */

static const char *BROWSER = "00112233445566778899aabbccddeeff";

START_TEST(csrf_accepts_its_own_token_only)
{
    csrf_key k, other;
    csrf_key_derive(&k, (const unsigned char *)"secret one", 10);
    csrf_key_derive(&other, (const unsigned char *)"secret two", 10);
    char t[CSRF_TOKEN_MAX];
    int64_t now = 1800000000;
    csrf_make(&k, "vote:GA01", BROWSER, now, t);
    ck_assert(csrf_check(&k, "vote:GA01", BROWSER, t, now));
    ck_assert(csrf_check(&k, "vote:GA01", BROWSER, t, now + CSRF_MAX_AGE));
    ck_assert(!csrf_check(&k, "vote:GA01", BROWSER, t, now + CSRF_MAX_AGE + 1));
    ck_assert(!csrf_check(&k, "vote:GA01", BROWSER, t, now - CSRF_SKEW - 1));
    ck_assert(!csrf_check(&k, "vote:GA02", BROWSER, t, now));
    ck_assert(!csrf_check(&k, "vote:GA01", "ffeeddccbbaa99887766554433221100", t, now));
    ck_assert(!csrf_check(&other, "vote:GA01", BROWSER, t, now));
    ck_assert(!csrf_check(&k, "vote:GA01", BROWSER, NULL, now));
    ck_assert(!csrf_check(&k, "vote:GA01", BROWSER, "", now));
    /* Every single character changed is refused. */
    for (size_t i = 0; t[i]; i++) {
        char bad[CSRF_TOKEN_MAX];
        memcpy(bad, t, sizeof bad);
        bad[i] = bad[i] == '1' ? '2' : '1';
        ck_assert_msg(!csrf_check(&k, "vote:GA01", BROWSER, bad, now), "changed at %zu", i);
    }
    /* The issue time moved: the MAC no longer fits. */
    char moved[CSRF_TOKEN_MAX];
    snprintf(moved, sizeof moved, "%lld%s", (long long)now + 1, strchr(t, '.'));
    ck_assert(!csrf_check(&k, "vote:GA01", BROWSER, moved, now + 1));
    /* Upper-case hex is not how tokens are made. */
    char upper[CSRF_TOKEN_MAX];
    memcpy(upper, t, sizeof upper);
    for (char *c = strchr(upper, '.'); *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    ck_assert(!csrf_check(&k, "vote:GA01", BROWSER, upper, now));
}
END_TEST

/* ---- flags ---- */

START_TEST(flags_count_per_address)
{
    unsigned char salt[32] = {1};
    flags *f = flags_create(3, 3600, salt);
    ck_assert_ptr_nonnull(f);
    int64_t t = 1000;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(flags_note(f, "192.0.2.1", t + i), 0);
    ck_assert_int_eq(flags_note(f, "192.0.2.1", t + 10), 1);
    ck_assert_int_eq(flags_note(f, "192.0.2.2", t + 10), 0);
    /* An hour after the first three, the address is below its count again. */
    ck_assert_int_eq(flags_note(f, "192.0.2.1", t + 3 * 1000 + 3600 * 1000), 0);
    /* Many addresses: the table forgets the least recent, never fails. */
    char a[64];
    for (int i = 0; i < 3 * FLAGS_SLOTS; i++) {
        snprintf(a, sizeof a, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        ck_assert_int_eq(flags_note(f, a, t + 20), 0);
    }
    flags_destroy(f);

    char h1[FLAGS_HASH_HEX], h2[FLAGS_HASH_HEX], h3[FLAGS_HASH_HEX];
    unsigned char salt2[32] = {2};
    flags_hash(salt, BROWSER, h1);
    flags_hash(salt, BROWSER, h2);
    flags_hash(salt2, BROWSER, h3);
    ck_assert_str_eq(h1, h2);
    ck_assert_str_ne(h1, h3);
    ck_assert_uint_eq(strlen(h1), 32);
    ck_assert_ptr_null(strstr(h1, "0011223344"));
}
END_TEST

/* ---- escaping and pages ---- */

static survey_config *parse_ok(const char *text)
{
    survey_config *c = NULL;
    mp_err err = {{0}};
    ck_assert_msg(survey_config_parse(text, strlen(text), "survey.ini", "/base", &c, &err) == 0,
                  "%s", err.msg);
    return c;
}

static const char *CFG =
    "[survey]\nid = portal\nsigning_key = survey.key\n"
    "[units]\nGA01 = 县公安局\nX1 = <script>\"a\"&'b'\n";

START_TEST(html_escapes_every_special_character)
{
    html_buf b = {0};
    html_esc(&b, "<a href=\"x\">&'</a>");
    ck_assert_str_eq(b.p, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    html_free(&b);
    html_esc(&b, "");
    html_put(&b, "");
    ck_assert_uint_eq(b.len, 0);
    html_free(&b);
}
END_TEST

START_TEST(pages_escape_and_carry_the_form)
{
    survey_config *c = parse_ok(CFG);
    html_buf b = {0};
    pages_units(&b, c);
    ck_assert_ptr_nonnull(strstr(b.p, "href=\"/u/GA01\">县公安局</a>"));
    ck_assert_ptr_null(strstr(b.p, "<script>"));
    ck_assert_ptr_nonnull(strstr(b.p, "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;"));
    html_free(&b);

    pages_rating(&b, &c->units[1], "1.<x>");
    ck_assert_ptr_null(strstr(b.p, "<script>"));
    ck_assert_ptr_null(strstr(b.p, "<x>"));
    ck_assert_ptr_nonnull(strstr(b.p, "value=\"1.&lt;x&gt;\""));
    ck_assert_ptr_nonnull(strstr(b.p, "<button name=\"rating\" value=\"10\">非常满意</button>"));
    ck_assert_ptr_nonnull(strstr(b.p, "<button name=\"rating\" value=\"8\">基本满意</button>"));
    ck_assert_ptr_nonnull(strstr(b.p, "<button name=\"rating\" value=\"6\">一般</button>"));
    ck_assert_ptr_nonnull(strstr(b.p, "<button name=\"rating\" value=\"0\">不满意</button>"));
    ck_assert_ptr_nonnull(strstr(b.p, "action=\"/u/X1\""));
    ck_assert_ptr_null(strstr(b.p, "<script"));  /* no script of its own either */
    html_free(&b);

    pages_thanks(&b, c, &c->units[0], 6, 12, "tok");
    ck_assert_ptr_nonnull(strstr(b.p, "谢谢"));
    ck_assert_ptr_nonnull(strstr(b.p, "name=\"reason\" value=\"办事效率低\""));
    ck_assert_ptr_nonnull(strstr(b.p, "name=\"reason\" value=\"其他\""));
    ck_assert_ptr_nonnull(strstr(b.p, "name=\"comment\""));
    ck_assert_ptr_nonnull(strstr(b.p, "name=\"send\""));
    ck_assert_ptr_nonnull(strstr(b.p, "name=\"vote\" value=\"12\""));
    html_free(&b);
    pages_thanks(&b, c, &c->units[0], 10, 13, NULL);
    ck_assert_ptr_nonnull(strstr(b.p, "谢谢"));
    ck_assert_ptr_null(strstr(b.p, "name=\"reason\""));
    html_free(&b);

    /* No refusal or error page thanks anyone. */
    const pages_problem all[] = {PAGES_NOT_FOUND, PAGES_FORGED,      PAGES_BAD_FORM,
                                 PAGES_TOO_LARGE, PAGES_TOO_MANY,    PAGES_UNAVAILABLE,
                                 PAGES_BUSY,      PAGES_DUPLICATE,   PAGES_METHOD};
    const int status[] = {404, 403, 400, 413, 429, 503, 503, 409, 405};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        ck_assert_int_eq(pages_problem_page(&b, all[i]), status[i]);
        ck_assert_ptr_null(strstr(b.p, "谢谢"));
        ck_assert_ptr_nonnull(strstr(b.p, "href=\"/\""));
        html_free(&b);
    }
    size_t len;
    const char *type;
    ck_assert_ptr_nonnull(pages_static("/s/survey.css", &len, &type));
    ck_assert_str_eq(type, "text/css; charset=utf-8");
    ck_assert_ptr_nonnull(pages_static("/s/face-0.svg", &len, &type));
    ck_assert_ptr_null(pages_static("/s/../etc/passwd", &len, &type));
    survey_config_free(c);
}
END_TEST

/* ---- survey.ini ---- */

START_TEST(config_defaults_and_sections)
{
    survey_config *c = parse_ok(CFG);
    ck_assert_str_eq(c->id, "portal");
    ck_assert_str_eq(c->db_path, "/base/survey.db");
    ck_assert_str_eq(c->signing_key_path, "/base/survey.key");
    ck_assert_str_eq(c->listen, "127.0.0.1:8080");
    ck_assert_str_eq(c->trusted_proxy, "");
    ck_assert_int_eq(c->votes_per_hour, 30);
    ck_assert_uint_eq(c->n_reasons, 5);
    ck_assert_str_eq(c->reasons[0], "办事效率低");
    ck_assert_uint_eq(c->n_units, 2);
    ck_assert_ptr_nonnull(survey_config_unit(c, "GA01"));
    ck_assert_ptr_null(survey_config_unit(c, "ga01"));
    /* What format writes reads back the same. */
    char *text = NULL;
    mp_err err;
    ck_assert_int_eq(survey_config_format(c, &text, &err), 0);
    survey_config *back = parse_ok(text);
    ck_assert_str_eq(back->id, c->id);
    ck_assert_uint_eq(back->n_units, 2);
    ck_assert_str_eq(back->units[1].name, c->units[1].name);
    free(text);
    survey_config_free(back);
    survey_config_free(c);

    c = parse_ok("[survey]\nid = p\nsigning_key = /k\nlisten = [::1]:0\ntrusted_proxy = 10.0.0.1\n"
                 "votes_per_hour = 5\n[units]\nA = 甲\n[reasons]\na = 太慢\nb = 太远\n"
                 "[kiosks]\nroom-01 = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
    ck_assert_uint_eq(c->n_reasons, 2);
    ck_assert_str_eq(c->reasons[1], "太远");
    ck_assert_uint_eq(c->n_kiosks, 1);
    ck_assert_str_eq(c->signing_key_path, "/k");
    ck_assert_int_eq(c->votes_per_hour, 5);
    survey_config_free(c);

    /* A name inih reads after "=" without a space, ";A", would be a comment
     * once written "= ;A": format refuses it (found by fuzz_survey). */
    c = parse_ok("[survey]\nid = p\nsigning_key = k\n[units]\nGA01 =;A\n");
    ck_assert_str_eq(c->units[0].name, ";A");
    char *t = NULL;
    mp_err e;
    ck_assert_int_eq(survey_config_format(c, &t, &e), -1);
    ck_assert_ptr_null(t);
    ck_assert_ptr_nonnull(strstr(e.msg, "unit GA01"));
    survey_config_free(c);
}
END_TEST

START_TEST(config_errors_name_line_and_key)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"[survey]\nid = p\n[units]\nA = 甲\n", "[survey] signing_key is missing"},
        {"[survey]\nid = p\nsigning_key = k\n", "[units] must name at least one unit"},
        {"[survey]\nid = p p\nsigning_key = k\n[units]\nA = 甲\n", "survey.ini:2: id"},
        {"[survey]\nid = p\nsigning_key = k\nlisten = 1.2.3.4\n[units]\nA = 甲\n",
         "survey.ini:4: listen"},
        {"[survey]\nid = p\nsigning_key = k\nlisten = localhost:80\n[units]\nA = 甲\n",
         "not an IPv4 address"},
        {"[survey]\nid = p\nsigning_key = k\ntrusted_proxy = nginx\n[units]\nA = 甲\n",
         "survey.ini:4: trusted_proxy"},
        {"[survey]\nid = p\nsigning_key = k\nvotes_per_hour = 0\n[units]\nA = 甲\n",
         "must be from 1 to 1000"},
        {"[survey]\nid = p\nid = q\nsigning_key = k\n[units]\nA = 甲\n", "key given twice"},
        {"[survey]\nid = p\nsigning_key = k\ncolour = red\n[units]\nA = 甲\n", "unknown key"},
        {"[survey]\nid = p\nsigning_key = k\n[units]\nA = 甲\nA = 乙\n", "given twice"},
        {"[survey]\nid = p\nsigning_key = k\n[units]\nA = 甲\n[reasons]\nx = a|b\n", "'|'"},
        {"[survey]\nid = p\nsigning_key = k\n[units]\nA = 甲\n[kiosks]\nk = notakey\n",
         "not a public key"},
        {"[survey]\nid = p\nsigning_key = k\n[units]\nA = 甲\n[extra]\nx = 1\n",
         "unknown section"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        survey_config *c = NULL;
        mp_err err = {{0}};
        ck_assert_msg(survey_config_parse(cases[i].text, strlen(cases[i].text), "survey.ini",
                                          NULL, &c, &err) == -1,
                      "case %zu accepted", i);
        ck_assert_ptr_null(c);
        ck_assert_msg(strstr(err.msg, cases[i].msg), "case %zu: \"%s\" lacks \"%s\"", i, err.msg,
                      cases[i].msg);
    }
}
END_TEST

/* ---- follow-ups and the schema ---- */

static long utf8_len(const char *s)
{
    long n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static char *dir;

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
}

static void teardown(void)
{
    free(dir);
}

static store *open_store(const char *path)
{
    store *s = NULL;
    mp_err err = {{0}};
    ck_assert_msg(store_open(path, &s, &err) == 0, "%s", err.msg);
    return s;
}

static int64_t count(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s",
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

START_TEST(comment_is_cleaned_and_bounded)
{
    char out[FOLLOWUP_COMMENT_BYTES];
    const char *in = "  第一行\r\n第二行\t完  ";
    ck_assert_int_eq(followup_clean_comment(in, strlen(in), out, NULL), 0);
    ck_assert_str_eq(out, "第一行  第二行 完");
    char two_hundred[FOLLOWUP_COMMENT_BYTES];
    two_hundred[0] = '\0';
    for (int i = 0; i < 200; i++)
        strcat(two_hundred, "字");
    ck_assert_int_eq(followup_clean_comment(two_hundred, strlen(two_hundred), out, NULL), 0);
    char more[FOLLOWUP_COMMENT_BYTES + 8];
    snprintf(more, sizeof more, "%sa", two_hundred);
    mp_err err;
    ck_assert_int_eq(followup_clean_comment(more, strlen(more), out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "200"));
    ck_assert_int_eq(followup_clean_comment("\xff\xfe", 2, out, &err), -1);
    ck_assert_int_eq(followup_clean_comment("a\0b", 3, out, &err), -1);
    ck_assert_int_eq(followup_clean_comment("a\x1b[31m", 6, out, &err), -1);
    ck_assert_int_eq(followup_clean_comment("", 0, out, NULL), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(followup_attaches_once_to_a_vote)
{
    char *path = tu_path(dir, "survey.db");
    store *s = open_store(path);
    store_vote v;
    mp_err err = {{0}};
    ck_assert_msg(store_tx_add_vote(s, "online", "GA01", "县公安局", 0, 0, 1800000000, 28800, &v,
                                    &err) == 0,
                  "%s", err.msg);
    ck_assert_int_eq(store_tx_add_vote(s, "web", "GA01", "县公安局", 0, 0, 1800000000, 0, NULL,
                                       &err),
                     -1);
    const char *reasons[] = {"办事效率低", "其他"};
    followup_in in = {.vote_seq = v.seq, .reasons = reasons, .n_reasons = 2,
                      .comment = "<script>'; DROP TABLE votes; --", .channel = "online",
                      .created_utc = 1800000100, .utc_offset = 28800};
    followup_result res = 99;
    ck_assert_msg(followup_add(s, &in, &res, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(res, FOLLOWUP_STORED);
    ck_assert_msg(followup_add(s, &in, &res, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(res, FOLLOWUP_DUPLICATE);
    in.vote_seq = v.seq + 1;
    ck_assert_int_eq(followup_add(s, &in, &res, &err), 0);
    ck_assert_int_eq(res, FOLLOWUP_NO_VOTE);
    const char *piped[] = {"a|b"};
    in.reasons = piped;
    in.n_reasons = 1;
    ck_assert_int_eq(followup_add(s, &in, &res, &err), -1);
    int64_t n = 0;
    ck_assert_int_eq(followup_count(s, &n, NULL), 0);
    ck_assert_int_eq(n, 1);
    store_close(s);

    ck_assert_int_eq(count(path, "SELECT count(*) FROM votes"), 1);
    ck_assert_int_eq(count(path, "SELECT count(*) FROM followups WHERE reasons = '办事效率低|其他' "
                                 "AND comment = '<script>''; DROP TABLE votes; --' AND points = 0 "
                                 "AND unit_code = 'GA01' AND vote_kiosk = '' AND vote_seq = 1"),
                     1);
    /* Follow-ups are append-only, like votes. */
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_ne(sqlite3_exec(db, "UPDATE followups SET comment = ''", NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_ne(sqlite3_exec(db, "DELETE FROM followups", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    free(path);
}
END_TEST

/* A database made by the first schema, with votes, numbered up to 9 (seq 8
 * and 9 were used by votes never committed... or rather, the counter says
 * so), is migrated: the votes keep their numbers, the counter goes on from
 * where it was, the table stays append-only and takes online votes. */
START_TEST(migration_keeps_votes_and_numbers)
{
    char *path = tu_path(dir, "kiosk.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, kiosk_migrations[0].text, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_exec(db,
                     "PRAGMA user_version = 1;"
                     "INSERT INTO meta VALUES ('instance', '0123456789abcdef0123456789abcdef');"
                     "INSERT INTO votes VALUES (1, '0123456789abcdef0123456789abcdef', "
                     "'11111111-1111-4111-8111-111111111111', 1700000000, 28800, 'A', '甲', 10, "
                     "'kiosk', 0);"
                     "INSERT INTO votes VALUES (4, '0123456789abcdef0123456789abcdef', "
                     "'44444444-4444-4444-8444-444444444444', 1700000100, 28800, 'A', '甲', 0, "
                     "'kiosk', 1);"
                     "UPDATE sqlite_sequence SET seq = 9 WHERE name = 'votes';",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    store *s = open_store(path);
    store_vote v;
    mp_err err;
    ck_assert_int_eq(store_add_vote(s, "A", "甲", 8, 0, 1700000200, 28800, &v, &err), 0);
    ck_assert_int_eq(v.seq, 10);
    ck_assert_int_eq(store_tx_add_vote(s, "online", "A", "甲", 6, 1, 1700000300, 28800, &v, &err),
                     0);
    ck_assert_int_eq(v.seq, 11);
    store_close(s);
    ck_assert_int_eq(count(path, "PRAGMA user_version"), 2);
    ck_assert_int_eq(count(path, "SELECT count(*) FROM votes WHERE seq = 1 AND points = 10 AND "
                                 "uuid LIKE '1111%' AND channel = 'kiosk'"),
                     1);
    ck_assert_int_eq(count(path, "SELECT count(*) FROM votes WHERE seq = 4 AND flagged = 1"), 1);
    ck_assert_int_eq(count(path, "SELECT count(*) FROM votes WHERE channel = 'online'"), 1);
    ck_assert_int_eq(count(path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                 "AND tbl_name = 'votes'"),
                     2);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_ne(sqlite3_exec(db, "UPDATE votes SET points = 10", NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_ne(sqlite3_exec(db, "DELETE FROM votes WHERE seq = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_ne(sqlite3_exec(db,
                                  "INSERT INTO votes(instance, uuid, cast_utc, utc_offset, "
                                  "unit_code, unit_name, points, channel) VALUES ('x', 'y', 0, 0, "
                                  "'A', '甲', 10, 'web')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    free(path);
}
END_TEST

/* ---- the writer ---- */

typedef struct voter {
    writer *w;
    int n, failures;
    int64_t seqs[50];
} voter;

static void *vote_many(void *arg)
{
    voter *v = arg;
    for (int i = 0; i < v->n; i++) {
        writer_job job = {.kind = WRITER_VOTE, .unit_code = "GA01", .unit_name = "县公安局",
                          .points = 8};
        int busy;
        if (writer_run(v->w, &job, &busy) < 0 || !job.stored)
            v->failures++;
        else
            v->seqs[i] = job.vote.seq;
    }
    return NULL;
}

START_TEST(writer_commits_concurrent_votes_together)
{
    char *path = tu_path(dir, "survey.db");
    store *s = open_store(path);
    mp_err err = {{0}};
    writer *w = writer_create(s, 1000, &err);
    ck_assert_msg(w != NULL, "%s", err.msg);
    enum { THREADS = 16, EACH = 25 };
    voter v[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        v[i] = (voter){.w = w, .n = EACH};
        ck_assert_int_eq(pthread_create(&t[i], NULL, vote_many, &v[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(v[i].failures, 0);
    }
    int64_t commits, jobs;
    writer_stats(w, &commits, &jobs);
    ck_assert_int_eq(jobs, THREADS * EACH);
    ck_assert_int_le(commits, jobs);
    printf("writer: %d votes from %d threads in %lld commits\n", THREADS * EACH, THREADS,
           (long long)commits);
    writer_destroy(w);
    store_close(s);
    /* Every vote acknowledged is there once, each seq handed out once. */
    ck_assert_int_eq(count(path, "SELECT count(*) FROM votes"), THREADS * EACH);
    ck_assert_int_eq(count(path, "SELECT count(DISTINCT seq) FROM votes"), THREADS * EACH);
    ck_assert_int_eq(count(path, "SELECT count(*) FROM votes WHERE channel = 'online'"),
                     THREADS * EACH);
    free(path);
}
END_TEST

START_TEST(writer_flags_a_browser_second_vote_and_a_busy_address)
{
    char *path = tu_path(dir, "survey.db");
    store *s = open_store(path);
    writer *w = writer_create(s, 10, NULL);
    ck_assert_ptr_nonnull(w);
    int busy;
    writer_job a = {.kind = WRITER_VOTE, .unit_code = "GA01", .unit_name = "县公安局",
                    .points = 10, .browser = "aaaa"};
    ck_assert_int_eq(writer_run(w, &a, &busy), 0);
    ck_assert_int_eq(a.vote.flagged, 0);
    writer_job b = a;
    ck_assert_int_eq(writer_run(w, &b, &busy), 0);
    ck_assert_int_eq(b.vote.flagged, 1);
    writer_job other_unit = a;
    other_unit.unit_code = "A02";
    other_unit.unit_name = "县政务服务中心";
    ck_assert_int_eq(writer_run(w, &other_unit, &busy), 0);
    ck_assert_int_eq(other_unit.vote.flagged, 0);
    writer_job no_cookie = {.kind = WRITER_VOTE, .unit_code = "GA01", .unit_name = "县公安局",
                            .points = 10};
    ck_assert_int_eq(writer_run(w, &no_cookie, &busy), 0);
    ck_assert_int_eq(no_cookie.vote.flagged, 0);
    writer_job over = no_cookie;
    over.address_over = 1;
    ck_assert_int_eq(writer_run(w, &over, &busy), 0);
    ck_assert_int_eq(over.vote.flagged, 1);
    /* A bad job is refused and the others still stored. */
    writer_job bad = no_cookie;
    bad.points = 7;
    ck_assert_int_eq(writer_run(w, &bad, &busy), -1);
    ck_assert_int_eq(busy, 0);
    ck_assert_ptr_nonnull(strstr(bad.err.msg, "7"));
    writer_destroy(w);
    store_close(s);
    ck_assert_int_eq(count(path, "SELECT count(*) FROM votes"), 5);
    ck_assert_int_eq(count(path, "SELECT count(*) FROM votes WHERE flagged = 1"), 2);
    ck_assert_int_eq(count(path, "SELECT count(*) FROM browser_marks"), 2);
    free(path);
}
END_TEST

/* ---- the export, format 2 ---- */

typedef struct got {
    int votes, fus;
    char comment[FOLLOWUP_COMMENT_BYTES];
    char reasons[200];
    char vote_kiosk[80];
    long long vote_seq;
} got;

static int got_row(void *user, const export_row *row, mp_err *err)
{
    (void)row;
    (void)err;
    ((got *)user)->votes++;
    return 0;
}

static int got_fu(void *user, const export_followup *f, mp_err *err)
{
    (void)err;
    got *g = user;
    g->fus++;
    snprintf(g->comment, sizeof g->comment, "%s", f->comment);
    snprintf(g->reasons, sizeof g->reasons, "%s", f->reasons);
    snprintf(g->vote_kiosk, sizeof g->vote_kiosk, "%s", f->vote_kiosk);
    g->vote_seq = f->vote_seq;
    return 0;
}

static sign_key test_key;

static int key_of(void *user, const char *id, const char *key_id, unsigned char pk[32],
                  mp_err *err)
{
    (void)user;
    (void)id;
    (void)err;
    if (strcmp(key_id, test_key.id) != 0)
        return 0;
    memcpy(pk, test_key.pk, 32);
    return 1;
}

/* text (a file up to and including the comma before the signature) signed
 * and completed. */
static char *signed_file(const char *text, size_t *len)
{
    unsigned char sig[SIGN_BYTES];
    sign_detached(&test_key, text, strlen(text), sig);
    char b64[sodium_base64_ENCODED_LEN(SIGN_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    size_t n = strlen(text) + strlen(b64) + 3;
    char *out = malloc(n);
    snprintf(out, n, "%s%s\r\n", text, b64);
    *len = strlen(out);
    return out;
}

START_TEST(export_v2_carries_followups)
{
    ck_assert_int_eq(sign_keygen(&test_key, NULL), 0);
    char *path = tu_path(dir, "survey.db");
    store *s = open_store(path);
    store_vote v;
    ck_assert_int_eq(store_tx_add_vote(s, "online", "GA01", "县公安局", 0, 0, 1800000000, 28800,
                                       &v, NULL),
                     0);
    /* 200 characters, with a comma and a double quote in them. */
    char comment[FOLLOWUP_COMMENT_BYTES] = "排队,\"太久\"";
    while (utf8_len(comment) < 200)
        strcat(comment, "长");
    const char *reasons[] = {"办事效率低", "其他"};
    followup_in in = {.vote_seq = v.seq, .reasons = reasons, .n_reasons = 2, .comment = comment,
                      .channel = "online", .created_utc = 1800000100, .utc_offset = 28800};
    followup_result res;
    ck_assert_int_eq(followup_add(s, &in, &res, NULL), 0);
    kiosk_config src = {.id = "portal"};
    char *file = NULL;
    int64_t rows = 0;
    mp_err err = {{0}};
    int64_t fus = -1;
    ck_assert_msg(export_write_v2(s, &src, &test_key, dir, 1800000200, &fus, &file, &rows, &err) ==
                      0,
                  "%s", err.msg);
    ck_assert_int_eq(rows, 1);
    ck_assert_int_eq(fus, 1);
    size_t len;
    char *buf = tu_read_file(file, &len);
    got g = {0};
    export_meta meta;
    ck_assert_msg(export_read_v2(buf, len, key_of, NULL, &meta, got_row, got_fu, &g, &err) == 0,
                  "%s", err.msg);
    ck_assert_int_eq(meta.version, 2);
    ck_assert_int_eq(meta.followups, 1);
    ck_assert_int_eq(g.votes, 1);
    ck_assert_int_eq(g.fus, 1);
    ck_assert_str_eq(g.comment, comment);
    ck_assert_str_eq(g.reasons, "办事效率低|其他");
    ck_assert_str_eq(g.vote_kiosk, "");
    ck_assert_int_eq(g.vote_seq, v.seq);
    /* The plain reader takes it too, votes only. */
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(export_read(buf, len, key_of, NULL, NULL, got_row, &g, &err), 0);
    ck_assert_int_eq(g.votes, 1);
    /* A byte of the follow-up changed: the signature no longer fits. */
    char *at = strstr(buf, "办事效率低");
    ck_assert_ptr_nonnull(at);
    at[0] = 'X';
    ck_assert_int_eq(export_read_v2(buf, len, key_of, NULL, NULL, NULL, NULL, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "signature does not match"));
    free(buf);
    free(file);
    store_close(s);
    free(path);
}
END_TEST

START_TEST(export_v2_refuses_malformed_followups)
{
    ck_assert_int_eq(sign_keygen(&test_key, NULL), 0);
    static const char *const INST = "0123456789abcdef0123456789abcdef";
    static const char *const HEAD = "\xEF\xBB\xBF终端编号,数据库实例,序号,唯一编号,投票时间(UTC),"
                                    "当地时间,时区,单位代码,单位名称,评价,分值,渠道,疑似刷票\r\n";
    static const char *const FUH = "终端编号,数据库实例,跟进序号,唯一编号,填写时间(UTC),当地时间,"
                                   "时区,单位代码,所评投票,分值,原因,意见,渠道\r\n";
    static const struct {
        const char *line, *msg;
    } cases[] = {
        {"1,U,T,GA01,1,0,其他,好,online", NULL},
        {"1,U,T,GA01,1,7,其他,好,online", "points \"7\""},
        {"1,U,T,GA01,x,0,其他,好,online", "vote \"x\""},
        {"1,U,T,GA01,room-01/abc/3,0,其他,好,online", "KIOSK/INSTANCE/SEQ"},
        {"1,U,T,GA01,1,0,其他,好,web", "channel \"web\""},
        {"0,U,T,GA01,1,0,其他,好,online", "follow-up number"},
        {"1,U,T,GA01,1,0,a||b,好,online", "empty reason"},
        {"1,U,2026-01-01T00:00:00Z,2026-01-01 09:00:00,+08:00,GA01,1,0,其他,好,online",
         "follow-up's time"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[900];
        /* U: a uuid; T: a consistent time triple. */
        char tmp[600];
        snprintf(tmp, sizeof tmp, "%s", cases[i].line);
        char *u = strstr(tmp, "U,");
        char built[700] = "";
        if (u) {
            *u = '\0';
            snprintf(built, sizeof built, "%s%s%s", tmp, "11111111-1111-4111-8111-111111111111,",
                     u + 2);
        }
        char *t = strstr(built, ",T,");
        if (t) {
            *t = '\0';
            snprintf(line, sizeof line, "%s,2026-01-01T00:00:00Z,2026-01-01 08:00:00,+08:00,%s",
                     built, t + 3);
        } else {
            snprintf(line, sizeof line, "%s", built);
        }
        char text[2400];
        snprintf(text, sizeof text,
                 "%sportal,%s,1,22222222-2222-4222-8222-222222222222,2026-01-01T00:00:00Z,"
                 "2026-01-01 08:00:00,+08:00,GA01,县公安局,不满意,0,online,0\r\n%sportal,%s,%s\r\n"
                 "#签名,minping-export-v2,portal,%s,2026-01-02T00:00:00Z,1,1,1,%s,",
                 HEAD, INST, FUH, INST, line, INST, test_key.id);
        size_t len;
        char *file = signed_file(text, &len);
        mp_err err = {{0}};
        got g = {0};
        int rc = export_read_v2(file, len, key_of, NULL, NULL, got_row, got_fu, &g, &err);
        if (!cases[i].msg) {
            ck_assert_msg(rc == 0, "case %zu: %s", i, err.msg);
            ck_assert_int_eq(g.fus, 1);
        } else {
            ck_assert_msg(rc == -1, "case %zu accepted", i);
            ck_assert_msg(strstr(err.msg, cases[i].msg), "case %zu: \"%s\" lacks \"%s\"", i,
                          err.msg, cases[i].msg);
        }
        free(file);
    }
}
END_TEST

/* ---- follow-up tokens of kiosk votes ---- */

static sign_key kiosk_key_a, kiosk_key_b;

static int token_key(void *user, const char *kiosk, unsigned char pk[32])
{
    (void)user;
    if (strcmp(kiosk, "room-01") != 0)
        return 0;
    memcpy(pk, kiosk_key_a.pk, 32);
    return 1;
}

START_TEST(fu_token_signed_checked_and_dated)
{
    ck_assert_int_eq(sign_keygen(&kiosk_key_a, NULL), 0);
    ck_assert_int_eq(sign_keygen(&kiosk_key_b, NULL), 0);
    fu_token t = {.kiosk = "room-01", .instance = "0123456789abcdef0123456789abcdef", .seq = 42,
                  .unit = "GA01", .points = 6, .cast_utc = 1800000000};
    char text[FU_TOKEN_MAX];
    ck_assert_int_eq(fu_token_make(&t, &kiosk_key_a, text, NULL), 0);
    ck_assert_ptr_nonnull(strstr(text, "room-01.0123456789abcdef0123456789abcdef.42.GA01.6."
                                       "1800000000."));
    for (const char *c = text; *c; c++)
        ck_assert_msg(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.",
                             *c),
                      "not URL-safe: %c", *c);
    fu_token tok;
    int expired;
    mp_err err = {{0}};
    ck_assert_msg(fu_token_verify(text, token_key, NULL, 1800000000 + 3600, &tok, &expired,
                                  &err) == 0,
                  "%s", err.msg);
    ck_assert_str_eq(tok.kiosk, "room-01");
    ck_assert_int_eq(tok.seq, 42);
    ck_assert_int_eq(tok.points, 6);
    ck_assert_str_eq(tok.unit, "GA01");
    /* Older than 24 hours: genuine but expired. */
    ck_assert_int_eq(fu_token_verify(text, token_key, NULL, 1800000000 + FU_TOKEN_VALID + 1,
                                     &tok, &expired, &err),
                     -1);
    ck_assert_int_eq(expired, 1);
    /* Every character changed: refused, and not as expired. */
    for (size_t i = 0; text[i]; i++) {
        char bad[FU_TOKEN_MAX];
        memcpy(bad, text, sizeof bad);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        ck_assert_msg(fu_token_verify(bad, token_key, NULL, 1800000000, &tok, &expired, NULL) ==
                              -1 &&
                          !expired,
                      "changed at %zu accepted", i);
    }
    /* Signed by another key (another office's room-01), or an unknown kiosk. */
    ck_assert_int_eq(fu_token_make(&t, &kiosk_key_b, text, NULL), 0);
    ck_assert_int_eq(fu_token_verify(text, token_key, NULL, 1800000000, &tok, &expired, &err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "signature does not match"));
    snprintf(t.kiosk, sizeof t.kiosk, "room-02");
    ck_assert_int_eq(fu_token_make(&t, &kiosk_key_a, text, NULL), 0);
    ck_assert_int_eq(fu_token_verify(text, token_key, NULL, 1800000000, &tok, &expired, &err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "room-02"));
    ck_assert_int_eq(fu_token_verify("", token_key, NULL, 0, &tok, &expired, NULL), -1);
    ck_assert_int_eq(fu_token_verify("a.b.c.d.e.f.g.h", token_key, NULL, 0, &tok, &expired, NULL),
                     -1);
}
END_TEST

static Suite *survey_suite(void)
{
    Suite *s = suite_create("survey");
    TCase *tc = tcase_create("pieces");
    tcase_add_test(tc, form_collects_fields_in_pieces);
    tcase_add_test(tc, form_refuses_what_does_not_fit);
    tcase_add_test(tc, form_rating_is_exactly_one_of_four);
    tcase_add_test(tc, cookie_values);
    tcase_add_test(tc, csrf_accepts_its_own_token_only);
    tcase_add_test(tc, flags_count_per_address);
    tcase_add_test(tc, html_escapes_every_special_character);
    tcase_add_test(tc, pages_escape_and_carry_the_form);
    tcase_add_test(tc, config_defaults_and_sections);
    tcase_add_test(tc, config_errors_name_line_and_key);
    tcase_add_test(tc, comment_is_cleaned_and_bounded);
    tcase_add_test(tc, fu_token_signed_checked_and_dated);
    suite_add_tcase(s, tc);
    tc = tcase_create("store");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, followup_attaches_once_to_a_vote);
    tcase_add_test(tc, migration_keeps_votes_and_numbers);
    tcase_add_test(tc, writer_commits_concurrent_votes_together);
    tcase_add_test(tc, writer_flags_a_browser_second_vote_and_a_busy_address);
    tcase_add_test(tc, export_v2_carries_followups);
    tcase_add_test(tc, export_v2_refuses_malformed_followups);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(survey_suite());
}
