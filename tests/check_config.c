/* check_config.c - kiosk.ini: parsing, every kind of mistake (each message
 * must name the file, the line and the key), limits, path resolution, and
 * config_format round trips. */
#include "config.h"
#include "embed.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A real crypto_pwhash_str hash (of the demo PIN). */
#define HASH "$argon2id$v=19$m=65536,t=2,p=1$feQAnoiWdmsCD6pVDJgQTA$Tg3NMQ7OWiDSeLS2rz9UBFFmQfAML7ZAiVPbfM00x+4"
#define L_KIOSK "[kiosk]\n"
#define L_ID "id = room-01\n"
#define L_URL "survey_url = https://s.example/q?k={kiosk}&u={unit}\n"
#define L_HASH "pin_hash = " HASH "\n"
#define HEAD L_KIOSK L_ID L_URL L_HASH /* lines 1-4 */
#define UNITS "[units]\nA01 = 县政务服务中心\n"


static kiosk_config *parse_ok_base(const char *text, size_t len, const char *base)
{
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    int rc = config_parse(text, len, "test.ini", base, &cfg, &err);
    ck_assert_msg(rc == 0, "config_parse failed: %s", err.msg);
    ck_assert_ptr_nonnull(cfg);
    return cfg;
}

static kiosk_config *parse_ok(const char *text)
{
    return parse_ok_base(text, strlen(text), NULL);
}

/* Parsing must fail, leave *out alone, and give a message starting with want. */
static void expect_fail_len(const char *text, size_t len, const char *want)
{
    kiosk_config *cfg = (kiosk_config *)(void *)&cfg; /* any non-NULL marker */
    kiosk_config *const marker = cfg;
    mp_err err = {{0}};
    int rc = config_parse(text, len, "test.ini", NULL, &cfg, &err);
    ck_assert_int_eq(rc, -1);
    ck_assert_ptr_eq(cfg, marker);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0,
                  "message \"%s\" does not start with \"%s\"", err.msg, want);
}

static void expect_fail(const char *text, const char *want)
{
    expect_fail_len(text, strlen(text), want);
}

/* ---- valid files ---- */

START_TEST(test_valid_file)
{
    kiosk_config *cfg = parse_ok(
        "; a comment\n"
        "# another comment\n"
        "\n"
        "[kiosk]\n"
        "id = reading-room_01\n"
        "survey_url = https://s.example/q?k={kiosk}&u={unit};x=1\n"
        "pin_hash = " HASH "\n"
        "db = votes/kiosk.db\n"
        "export_dir = /media/exports\n"
        "thanks_seconds = 8 ; an inline comment\n"
        "cooldown_seconds=2\n"
        "idle_seconds   =   45\n"
        "burst_votes = 7\n"
        "burst_seconds = 90\n"
        "\n"
        "[units]\n"
        "TS01 = 城关镇人民政府\n"
        "GA01 = 县公安局 ; the police\n"
        "mz-01 = 县民政局\n");
    ck_assert_str_eq(cfg->path, "test.ini");
    ck_assert_str_eq(cfg->id, "reading-room_01");
    ck_assert_str_eq(cfg->survey_url, "https://s.example/q?k={kiosk}&u={unit};x=1");
    ck_assert_str_eq(cfg->pin_hash, HASH);
    ck_assert_str_eq(cfg->db_path, "votes/kiosk.db");
    ck_assert_str_eq(cfg->export_dir, "/media/exports");
    ck_assert_int_eq(cfg->thanks_seconds, 8);
    ck_assert_int_eq(cfg->cooldown_seconds, 2);
    ck_assert_int_eq(cfg->idle_seconds, 45);
    ck_assert_int_eq(cfg->burst_votes, 7);
    ck_assert_int_eq(cfg->burst_seconds, 90);
    ck_assert_uint_eq(cfg->n_units, 3);
    ck_assert_str_eq(cfg->units[0].code, "TS01");
    ck_assert_str_eq(cfg->units[0].name, "城关镇人民政府");
    ck_assert_str_eq(cfg->units[1].code, "GA01");
    ck_assert_str_eq(cfg->units[1].name, "县公安局");
    ck_assert_str_eq(cfg->units[2].code, "mz-01");
    ck_assert_str_eq(cfg->units[2].name, "县民政局");
    ck_assert_ptr_eq(config_find_unit(cfg, "GA01"), &cfg->units[1]);
    ck_assert_ptr_null(config_find_unit(cfg, "ga01"));
    ck_assert_ptr_null(config_find_unit(cfg, "XX"));
    config_free(cfg);
}
END_TEST

START_TEST(test_defaults)
{
    kiosk_config *cfg = parse_ok(HEAD UNITS);
    ck_assert_int_eq(cfg->thanks_seconds, 6);
    ck_assert_int_eq(cfg->cooldown_seconds, 3);
    ck_assert_int_eq(cfg->idle_seconds, 30);
    ck_assert_int_eq(cfg->burst_votes, 5);
    ck_assert_int_eq(cfg->burst_seconds, 60);
    ck_assert_str_eq(cfg->db_path, "kiosk.db");
    ck_assert_ptr_null(cfg->export_dir);
    ck_assert_uint_eq(cfg->n_units, 1);
    config_free(cfg);

    /* An empty export_dir means "none". */
    cfg = parse_ok(HEAD "export_dir =\n" UNITS);
    ck_assert_ptr_null(cfg->export_dir);
    config_free(cfg);
}
END_TEST

START_TEST(test_range_edges_accepted)
{
    kiosk_config *cfg = parse_ok(HEAD "thanks_seconds = 600\ncooldown_seconds = 0\n"
                                      "idle_seconds = 5\nburst_votes = 1\nburst_seconds = 86400\n"
                                      UNITS);
    ck_assert_int_eq(cfg->thanks_seconds, 600);
    ck_assert_int_eq(cfg->cooldown_seconds, 0);
    ck_assert_int_eq(cfg->idle_seconds, 5);
    ck_assert_int_eq(cfg->burst_votes, 1);
    ck_assert_int_eq(cfg->burst_seconds, 86400);
    config_free(cfg);
    cfg = parse_ok(HEAD "thanks_seconds = 3\ncooldown_seconds = 2\nidle_seconds = 3600\n"
                        "burst_votes = 10000\nburst_seconds = 1\n" UNITS);
    ck_assert_int_eq(cfg->thanks_seconds, 3);
    ck_assert_int_eq(cfg->cooldown_seconds, 2);
    ck_assert_int_eq(cfg->idle_seconds, 3600);
    ck_assert_int_eq(cfg->burst_votes, 10000);
    ck_assert_int_eq(cfg->burst_seconds, 1);
    config_free(cfg);
}
END_TEST

START_TEST(test_crlf)
{
    const char *text = "[kiosk]\r\nid = room-01\r\n"
                       "survey_url = https://s.example/q?k={kiosk}\r\n"
                       "pin_hash = " HASH "\r\n"
                       "thanks_seconds = 9\r\n"
                       "[units]\r\nA01 = 县政务服务中心\r\nB02 = 县公安局\r\n";
    kiosk_config *cfg = parse_ok(text);
    ck_assert_str_eq(cfg->id, "room-01");
    ck_assert_str_eq(cfg->survey_url, "https://s.example/q?k={kiosk}");
    ck_assert_str_eq(cfg->pin_hash, HASH);
    ck_assert_int_eq(cfg->thanks_seconds, 9);
    ck_assert_uint_eq(cfg->n_units, 2);
    ck_assert_str_eq(cfg->units[1].name, "县公安局");
    config_free(cfg);
}
END_TEST

START_TEST(test_bom)
{
    kiosk_config *cfg = parse_ok("\xEF\xBB\xBF" HEAD UNITS);
    ck_assert_str_eq(cfg->id, "room-01");
    ck_assert_uint_eq(cfg->n_units, 1);
    config_free(cfg);
}
END_TEST

START_TEST(test_no_final_newline)
{
    kiosk_config *cfg = parse_ok(HEAD "[units]\nA01 = 县政务服务中心");
    ck_assert_str_eq(cfg->units[0].name, "县政务服务中心");
    config_free(cfg);
}
END_TEST

/* ---- mistakes: each message names the file, the line and the key ---- */

#define NAME25 "一二三四五六七八九十一二三四五六七八九十一二三四五"
#define NAME24 "一二三四五六七八九十一二三四五六七八九十一二三四"
#define ID65 "a1234567890123456789012345678901234567890123456789012345678901234"
#define CODE33 "C12345678901234567890123456789012"

static const struct bad_case {
    const char *text;
    const char *want; /* the start of the message */
} BAD[] = {
    /* numbers */
    {HEAD "thanks_seconds = 2\n" UNITS, "test.ini:5: thanks_seconds: must be from 3 to 600 (is 2)"},
    /* renderer */
    {HEAD "renderer = opengl\n" UNITS,
     "test.ini:5: renderer: \"opengl\" is neither software nor gpu"},
    {HEAD "renderer = GPU\n" UNITS, "test.ini:5: renderer: \"GPU\" is neither software nor gpu"},
    {HEAD "renderer =\n" UNITS, "test.ini:5: renderer: \"\" is neither software nor gpu"},
    {HEAD "renderer = gpu\nrenderer = gpu\n" UNITS, "test.ini:6: renderer: key given twice"},
    /* voice and volume */
    {HEAD "voice = yes\n" UNITS, "test.ini:5: voice: \"yes\" is neither on nor off"},
    {HEAD "voice = ON\n" UNITS, "test.ini:5: voice: \"ON\" is neither on nor off"},
    {HEAD "voice =\n" UNITS, "test.ini:5: voice: \"\" is neither on nor off"},
    {HEAD "voice = off\nvoice = on\n" UNITS, "test.ini:6: voice: key given twice"},
    {HEAD "volume = 101\n" UNITS, "test.ini:5: volume: must be from 0 to 100 (is 101)"},
    {HEAD "volume = -1\n" UNITS, "test.ini:5: volume: must be from 0 to 100 (is -1)"},
    {HEAD "volume = 80%\n" UNITS, "test.ini:5: volume: \"80%\" is not a whole number"},
    {HEAD "volume = loud\n" UNITS, "test.ini:5: volume: \"loud\" is not a whole number"},
    {HEAD "thanks_seconds = 601\n" UNITS,
     "test.ini:5: thanks_seconds: must be from 3 to 600 (is 601)"},
    {HEAD "thanks_seconds = six\n" UNITS, "test.ini:5: thanks_seconds: \"six\" is not a whole number"},
    {HEAD "thanks_seconds = 6s\n" UNITS, "test.ini:5: thanks_seconds: \"6s\" is not a whole number"},
    {HEAD "thanks_seconds =\n" UNITS, "test.ini:5: thanks_seconds: \"\" is not a whole number"},
    {HEAD "thanks_seconds = 99999999999999999999\n" UNITS,
     "test.ini:5: thanks_seconds: \"99999999999999999999\" is not a whole number"},
    {HEAD "cooldown_seconds = -1\n" UNITS,
     "test.ini:5: cooldown_seconds: must be from 0 to 60 (is -1)"},
    {HEAD "cooldown_seconds = 61\n" UNITS,
     "test.ini:5: cooldown_seconds: must be from 0 to 60 (is 61)"},
    {HEAD "idle_seconds = 4\n" UNITS, "test.ini:5: idle_seconds: must be from 5 to 3600 (is 4)"},
    {HEAD "idle_seconds = 3601\n" UNITS,
     "test.ini:5: idle_seconds: must be from 5 to 3600 (is 3601)"},
    {HEAD "burst_votes = 0\n" UNITS, "test.ini:5: burst_votes: must be from 1 to 10000 (is 0)"},
    {HEAD "burst_votes = 10001\n" UNITS,
     "test.ini:5: burst_votes: must be from 1 to 10000 (is 10001)"},
    {HEAD "burst_seconds = 0\n" UNITS, "test.ini:5: burst_seconds: must be from 1 to 86400 (is 0)"},
    {HEAD "burst_seconds = 86401\n" UNITS,
     "test.ini:5: burst_seconds: must be from 1 to 86400 (is 86401)"},
    /* strings */
    {HEAD "db =\n" UNITS, "test.ini:5: db: must not be empty"},
    {L_KIOSK "id = room 01\n" L_URL L_HASH UNITS,
     "test.ini:2: id: kiosk id \"room 01\" may contain only letters, digits, '-' and '_'"},
    {L_KIOSK "id = 阅览室\n" L_URL L_HASH UNITS, "test.ini:2: id: kiosk id \"阅览室\" may contain only"},
    {L_KIOSK "id =\n" L_URL L_HASH UNITS, "test.ini:2: id: kiosk id must be 1 to 64 characters long"},
    {L_KIOSK "id = " ID65 "\n" L_URL L_HASH UNITS,
     "test.ini:2: id: kiosk id must be 1 to 64 characters long"},
    {L_KIOSK L_ID "survey_url = ftp://s.example/\n" L_HASH UNITS,
     "test.ini:3: survey_url: survey URL must start with https:// or http://"},
    {L_KIOSK L_ID "survey_url =\n" L_HASH UNITS,
     "test.ini:3: survey_url: survey URL must start with https:// or http://"},
    {L_KIOSK L_ID "survey_url = https:///q\n" L_HASH UNITS,
     "test.ini:3: survey_url: survey URL has no host"},
    {L_KIOSK L_ID "survey_url = https://s.example/a b\n" L_HASH UNITS,
     "test.ini:3: survey_url: survey URL must be ASCII without spaces"},
    {L_KIOSK L_ID "survey_url = https://s.example/调查\n" L_HASH UNITS,
     "test.ini:3: survey_url: survey URL must be ASCII without spaces"},
    {L_KIOSK L_ID L_URL "pin_hash = 1234\n" UNITS,
     "test.ini:4: pin_hash: not a PIN hash made by minping-office provision"},
    {L_KIOSK L_ID L_URL "pin_hash = $argon2id$rubbish\n" UNITS,
     "test.ini:4: pin_hash: not a PIN hash made by minping-office provision"},
    /* units */
    {HEAD "[units]\nA 01 = 甲\n",
     "test.ini:6: A 01: unit code \"A 01\" may contain only letters, digits, '-' and '_'"},
    {HEAD "[units]\n" CODE33 " = 甲\n",
     "test.ini:6: " CODE33 ": unit code must be 1 to 32 characters long"},
    {HEAD "[units]\nA01 =\n", "test.ini:6: A01: unit name must be 1 to 24 characters long (has 0)"},
    {HEAD "[units]\nA01 = \xE5\x8E\n", "test.ini:6: A01: unit name is not valid UTF-8 text"},
    {HEAD "[units]\nA01 = \xC0\xAF\n", "test.ini:6: A01: unit name is not valid UTF-8 text"},
    {HEAD "[units]\nA01 = \xED\xA0\x80\n", "test.ini:6: A01: unit name is not valid UTF-8 text"},
    {HEAD "[units]\nA01 = a\tb\n", "test.ini:6: A01: unit name is not valid UTF-8 text"},
    {HEAD "[units]\nA01 = " NAME25 "\n",
     "test.ini:6: A01: unit name must be 1 to 24 characters long (has 25)"},
    {HEAD "[units]\nA01 = 甲\nB02 = 乙\nA01 = 丙\n", "test.ini:8: A01: unit code given twice"},
    /* what a spreadsheet would run as a formula */
    {HEAD "[units]\nA01 = =1+1\n", "test.ini:6: A01: \"=1+1\" starts with '=', which Excel"},
    {HEAD "[units]\nA01 = @SUM(A1)\n", "test.ini:6: A01: \"@SUM(A1)\" starts with '@'"},
    {HEAD "[units]\nA01 = +县局\n", "test.ini:6: A01: \"+县局\" starts with '+'"},
    {HEAD "[units]\n-A01 = 县局\n", "test.ini:6: -A01: \"-A01\" starts with '-'"},
    {HEAD "[units]\n", "test.ini: [units] lists no unit"},
    {HEAD, "test.ini: [units] lists no unit"},
    /* structure */
    {HEAD "colour = red\n" UNITS, "test.ini:5: colour: unknown key"},
    {HEAD "id = room-02\n" UNITS, "test.ini:5: id: key given twice"},
    {HEAD "thanks_seconds = 7\nthanks_seconds = 7\n" UNITS,
     "test.ini:6: thanks_seconds: key given twice"},
    {HEAD UNITS "[extra]\nfoo = 1\n", "test.ini:8: unknown section [extra]"},
    {"x = 1\n" HEAD UNITS, "test.ini:1: x: key outside a section"},
    {HEAD "just some words\n" UNITS, "test.ini:5: not a valid INI line"},
    {HEAD "[units\nA01 = 甲\n", "test.ini:5: not a valid INI line"},
    /* missing or inconsistent */
    {L_KIOSK L_URL L_HASH UNITS, "test.ini: [kiosk] id is missing"},
    {L_KIOSK L_ID L_HASH UNITS, "test.ini: [kiosk] survey_url is missing"},
    {L_KIOSK L_ID L_URL UNITS, "test.ini: [kiosk] pin_hash is missing"},
    {UNITS, "test.ini: [kiosk] id is missing"},
    {"", "test.ini: [kiosk] id is missing"},
    {HEAD "cooldown_seconds = 6\n" UNITS,
     "test.ini: [kiosk] cooldown_seconds (6) must be less than thanks_seconds (6)"},
    {HEAD "thanks_seconds = 3\n" UNITS,
     "test.ini: [kiosk] cooldown_seconds (3) must be less than thanks_seconds (3)"},
    /* the first mistake in the file is the one reported */
    {HEAD "idle_seconds = 1\ncolour = red\n" UNITS, "test.ini:5: idle_seconds: must be from"},
    {HEAD "nonsense\nidle_seconds = 1\n" UNITS, "test.ini:5: not a valid INI line"},
    {HEAD "idle_seconds = 1\nnonsense\n" UNITS, "test.ini:5: idle_seconds: must be from"},
};

START_TEST(test_bad_value)
{
    expect_fail(BAD[_i].text, BAD[_i].want);
}
END_TEST

START_TEST(test_name_limit)
{
    kiosk_config *cfg = parse_ok(HEAD "[units]\nA01 = " NAME24 "\n");
    ck_assert_str_eq(cfg->units[0].name, NAME24);
    config_free(cfg);
}
END_TEST

/* A text of HEAD, then `line` as line 5, then UNITS. */
static char *with_line5(const char *line, const char *eol)
{
    size_t n = strlen(HEAD) + strlen(line) + strlen(eol) + strlen(UNITS) + 1;
    char *t = malloc(n);
    ck_assert_ptr_nonnull(t);
    snprintf(t, n, "%s%s%s%s", HEAD, line, eol, UNITS);
    return t;
}

/* A line of exactly len bytes: "survey_url = https://s.example/aaa...". */
static char *url_line(size_t len)
{
    char *l = malloc(len + 1);
    ck_assert_ptr_nonnull(l);
    static const char prefix[] = "survey_url = https://s.example/";
    ck_assert_uint_gt(len, sizeof prefix);
    memcpy(l, prefix, sizeof prefix - 1);
    memset(l + sizeof prefix - 1, 'a', len - (sizeof prefix - 1));
    l[len] = '\0';
    return l;
}

START_TEST(test_line_length)
{
    /* 199 bytes is allowed, with LF or CRLF... */
    char *line = url_line(199);
    char *text = with_line5(line, "\n");
    /* (the URL on line 5 replaces the one on line 3: drop line 3's key) */
    char *p = strstr(text, L_URL);
    ck_assert_ptr_nonnull(p);
    memmove(p, p + strlen(L_URL), strlen(p + strlen(L_URL)) + 1);
    kiosk_config *cfg = parse_ok(text);
    ck_assert_uint_eq(strlen(cfg->survey_url), 199 - strlen("survey_url = "));
    config_free(cfg);
    free(text);

    char comment[201];
    memset(comment, 'x', 199);
    comment[0] = ';';
    comment[199] = '\0';
    text = with_line5(comment, "\r\n");
    cfg = parse_ok(text);
    config_free(cfg);
    free(text);

    /* ...200 bytes is not, wherever the line is. */
    comment[199] = 'x';
    comment[200] = '\0';
    text = with_line5(comment, "\n");
    expect_fail(text, "test.ini:5: line is longer than 199 bytes");
    free(text);
    text = with_line5(comment, "\r\n");
    expect_fail(text, "test.ini:5: line is longer than 199 bytes");
    free(text);
    free(line);
    line = url_line(200);
    text = with_line5(line, "\n");
    expect_fail(text, "test.ini:5: line is longer than 199 bytes");
    free(text);
    free(line);
}
END_TEST

START_TEST(test_nul_byte)
{
    static const char text[] = HEAD "thanks_seconds = 8\0 9\n" UNITS;
    expect_fail_len(text, sizeof text - 1, "test.ini:5: line contains a NUL byte");
    static const char in_name[] = HEAD "[units]\nA01 = 县\0政府\n";
    expect_fail_len(in_name, sizeof in_name - 1, "test.ini:6: line contains a NUL byte");
}
END_TEST

START_TEST(test_too_many_units)
{
    size_t cap = 64 * 1024;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t n = (size_t)snprintf(text, cap, "%s[units]\n", HEAD);
    for (int i = 0; i < CONFIG_UNITS_MAX; i++)
        n += (size_t)snprintf(text + n, cap - n, "U%03d = 单位%d\n", i, i);
    kiosk_config *cfg = parse_ok(text);
    ck_assert_uint_eq(cfg->n_units, CONFIG_UNITS_MAX);
    ck_assert_str_eq(cfg->units[CONFIG_UNITS_MAX - 1].code, "U199");
    config_free(cfg);
    snprintf(text + n, cap - n, "U%03d = 单位\n", CONFIG_UNITS_MAX);
    /* HEAD is 4 lines, [units] line 5: unit i is on line 6 + i. */
    expect_fail(text, "test.ini:206: U200: too many units (at most 200)");
    free(text);
}
END_TEST

/* ---- paths ---- */

START_TEST(test_relative_paths)
{
    const char *text = HEAD "db = votes/k.db\nexport_dir = exports\n" UNITS;
    kiosk_config *cfg = parse_ok_base(text, strlen(text), "/srv/kiosk");
    ck_assert_str_eq(cfg->db_path, "/srv/kiosk/votes/k.db");
    ck_assert_str_eq(cfg->export_dir, "/srv/kiosk/exports");
    config_free(cfg);

    text = HEAD "db = /var/lib/minping/k.db\nexport_dir = /media/usb\n" UNITS;
    cfg = parse_ok_base(text, strlen(text), "/srv/kiosk");
    ck_assert_str_eq(cfg->db_path, "/var/lib/minping/k.db");
    ck_assert_str_eq(cfg->export_dir, "/media/usb");
    config_free(cfg);

    text = HEAD UNITS;
    cfg = parse_ok_base(text, strlen(text), "/srv/kiosk");
    ck_assert_str_eq(cfg->db_path, "/srv/kiosk/kiosk.db");
    config_free(cfg);
}
END_TEST

START_TEST(test_load_resolves_against_folder)
{
    char *dir = tu_mkdtemp_in(tu_root);
    char *path = tu_path(dir, "kiosk.ini");
    const char *text = HEAD "db = data/votes.db\n" UNITS;
    tu_write_file(path, text, strlen(text));
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    ck_assert_msg(config_load(path, &cfg, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(cfg->path, path);
    char *want = tu_path(dir, "data/votes.db");
    ck_assert_str_eq(cfg->db_path, want);
    config_free(cfg);
    free(want);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_load_errors_name_the_file)
{
    char *dir = tu_mkdtemp_in(tu_root);
    char *path = tu_path(dir, "kiosk.ini");
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    ck_assert_int_eq(config_load(path, &cfg, &err), -1);
    ck_assert_ptr_null(cfg);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    ck_assert_str_eq(err.msg, want);

    const char *text = HEAD "idle_seconds = 0\n" UNITS;
    tu_write_file(path, text, strlen(text));
    ck_assert_int_eq(config_load(path, &cfg, &err), -1);
    snprintf(want, sizeof want, "%s:5: idle_seconds: must be from 5 to 3600 (is 0)", path);
    ck_assert_str_eq(err.msg, want);
    free(path);
    free(dir);
}
END_TEST

/* ---- config_format ---- */

static void assert_same(const kiosk_config *a, const kiosk_config *b)
{
    ck_assert_str_eq(a->id, b->id);
    ck_assert_str_eq(a->survey_url, b->survey_url);
    ck_assert_str_eq(a->pin_hash, b->pin_hash);
    ck_assert_str_eq(a->db_path, b->db_path);
    if (a->export_dir || b->export_dir) {
        ck_assert_ptr_nonnull(a->export_dir);
        ck_assert_ptr_nonnull(b->export_dir);
        ck_assert_str_eq(a->export_dir, b->export_dir);
    }
    if (a->signing_key_path || b->signing_key_path) {
        ck_assert_ptr_nonnull(a->signing_key_path);
        ck_assert_ptr_nonnull(b->signing_key_path);
        ck_assert_str_eq(a->signing_key_path, b->signing_key_path);
    }
    ck_assert_int_eq(a->thanks_seconds, b->thanks_seconds);
    ck_assert_int_eq(a->cooldown_seconds, b->cooldown_seconds);
    ck_assert_int_eq(a->idle_seconds, b->idle_seconds);
    ck_assert_int_eq(a->burst_votes, b->burst_votes);
    ck_assert_int_eq(a->burst_seconds, b->burst_seconds);
    ck_assert_int_eq(a->renderer, b->renderer);
    ck_assert_uint_eq(a->n_units, b->n_units);
    for (size_t i = 0; i < a->n_units; i++) {
        ck_assert_str_eq(a->units[i].code, b->units[i].code);
        ck_assert_str_eq(a->units[i].name, b->units[i].name);
    }
}

static char *format_ok(const kiosk_config *cfg)
{
    char *text = NULL;
    mp_err err = {{0}};
    ck_assert_msg(config_format(cfg, &text, &err) == 0, "config_format failed: %s", err.msg);
    ck_assert_ptr_nonnull(text);
    return text;
}

static void assert_lines_fit(const char *text)
{
    int line = 1;
    for (const char *p = text; *p; line++) {
        const char *nl = strchr(p, '\n');
        ck_assert_msg(nl != NULL, "line %d has no newline", line);
        ck_assert_msg(nl - p <= CONFIG_LINE_MAX, "line %d is %td bytes long", line, nl - p);
        p = nl + 1;
    }
}

static const char FULL[] = "[kiosk]\n"
                           "id = room-07\n"
                           "survey_url = http://10.0.0.2:8080/s?k={kiosk}&u={unit}&x=a=b\n"
                           "pin_hash = " HASH "\n"
                           "db = kiosk.db\n"
                           "export_dir = ../exports\n"
                           "thanks_seconds = 12\n"
                           "cooldown_seconds = 0\n"
                           "idle_seconds = 90\n"
                           "burst_votes = 3\n"
                           "burst_seconds = 120\n"
                           "[units]\n"
                           "ZJ01 = 县住房和城乡建设局\n"
                           "A01 = 县政务服务中心(一楼)\n"
                           "x_9 = 名称=含等号;和分号\n"
                           "M = " NAME24 "\n";

/* The renderer: software unless the file says gpu; config_format writes it. */
START_TEST(test_renderer)
{
    kiosk_config *cfg = parse_ok(HEAD UNITS);
    ck_assert_int_eq(cfg->renderer, CONFIG_RENDERER_SOFTWARE);
    ck_assert_int_eq(CONFIG_RENDERER_DEFAULT, CONFIG_RENDERER_SOFTWARE);
    char *text = format_ok(cfg);
    ck_assert_ptr_nonnull(strstr(text, "\nrenderer = software\n"));
    free(text);
    config_free(cfg);

    cfg = parse_ok(HEAD "renderer = gpu\n" UNITS);
    ck_assert_int_eq(cfg->renderer, CONFIG_RENDERER_GPU);
    text = format_ok(cfg);
    ck_assert_ptr_nonnull(strstr(text, "\nrenderer = gpu\n"));
    kiosk_config *again = parse_ok(text);
    ck_assert_int_eq(again->renderer, CONFIG_RENDERER_GPU);
    free(text);
    config_free(again);
    config_free(cfg);

    ck_assert_str_eq(config_renderer_name(CONFIG_RENDERER_GPU), "gpu");
    ck_assert_str_eq(config_renderer_name(CONFIG_RENDERER_SOFTWARE), "software");
    ck_assert_int_eq(config_renderer_by_name("software"), CONFIG_RENDERER_SOFTWARE);
    ck_assert_int_eq(config_renderer_by_name("gpu"), CONFIG_RENDERER_GPU);
    ck_assert_int_eq(config_renderer_by_name("vulkan"), -1);
}
END_TEST

/* voice: on unless the file says off; volume 0-100, 80 by default;
 * config_format writes both and reads them back. */
START_TEST(test_voice)
{
    kiosk_config *cfg = parse_ok(HEAD UNITS);
    ck_assert_int_eq(cfg->voice, 1);
    ck_assert_int_eq(CONFIG_VOICE_DEFAULT, 1);
    ck_assert_int_eq(cfg->volume, 80);
    char *text = format_ok(cfg);
    ck_assert_ptr_nonnull(strstr(text, "\nvoice = on\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nvolume = 80\n"));
    free(text);
    config_free(cfg);

    cfg = parse_ok(HEAD "voice = off\nvolume = 0\n" UNITS);
    ck_assert_int_eq(cfg->voice, 0);
    ck_assert_int_eq(cfg->volume, 0);
    text = format_ok(cfg);
    ck_assert_ptr_nonnull(strstr(text, "\nvoice = off\n"));
    kiosk_config *again = parse_ok(text);
    ck_assert_int_eq(again->voice, 0);
    ck_assert_int_eq(again->volume, 0);
    free(text);
    config_free(again);
    config_free(cfg);

    cfg = parse_ok(HEAD "voice = on\nvolume = 100\n" UNITS);
    ck_assert_int_eq(cfg->voice, 1);
    ck_assert_int_eq(cfg->volume, 100);
    config_free(cfg);

    int min, max, def;
    mp_err err;
    ck_assert_int_eq(config_number_info("volume", &min, &max, &def, &err), 0);
    ck_assert_int_eq(min, 0);
    ck_assert_int_eq(max, 100);
    ck_assert_int_eq(def, 80);
}
END_TEST

START_TEST(test_format_round_trip)
{
    kiosk_config *cfg = parse_ok(FULL);
    char *text = format_ok(cfg);
    assert_lines_fit(text);
    kiosk_config *again = parse_ok(text);
    assert_same(cfg, again);
    /* Formatting what was read back gives the same text. */
    char *text2 = format_ok(again);
    ck_assert_str_eq(text, text2);
    free(text2);
    free(text);
    config_free(again);
    config_free(cfg);
}
END_TEST

START_TEST(test_format_demo_round_trip)
{
    ck_assert_ptr_nonnull(demo_config[0].text);
    kiosk_config *cfg = parse_ok(demo_config[0].text);
    char *text = format_ok(cfg);
    kiosk_config *again = parse_ok(text);
    assert_same(cfg, again);
    ck_assert_uint_eq(again->n_units, 6);
    free(text);
    config_free(again);
    config_free(cfg);
}
END_TEST

START_TEST(test_format_order_and_comments)
{
    kiosk_config *cfg = parse_ok(FULL);
    char *text = format_ok(cfg);
    static const char *const order[] = {
        "\n[kiosk]\n", "\nid = room-07\n", "\nsurvey_url = http://10.0.0.2:8080/s?",
        "\npin_hash = $argon2id$", "\ndb = kiosk.db\n", "\nexport_dir = ../exports\n",
        "\nthanks_seconds = 12\n", "\ncooldown_seconds = 0\n", "\nidle_seconds = 90\n",
        "\nburst_votes = 3\n", "\nburst_seconds = 120\n", "\n[units]\n",
        "\nZJ01 = 县住房和城乡建设局\n", "\nA01 = 县政务服务中心(一楼)\n",
        "\nx_9 = 名称=含等号;和分号\n", "\nM = " NAME24 "\n",
    };
    const char *prev = text;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *at = strstr(text, order[i]);
        ck_assert_msg(at != NULL, "\"%s\" missing from:\n%s", order[i], text);
        ck_assert_msg(at >= prev, "\"%s\" is out of order", order[i]);
        prev = at;
    }
    /* The header is comments explaining every key before any setting. */
    ck_assert_int_eq(text[0], ';');
    const char *kiosk = strstr(text, "\n[kiosk]\n");
    static const char *const keys[] = {"id", "survey_url", "pin_hash", "db", "export_dir",
                                       "thanks_seconds", "cooldown_seconds", "idle_seconds",
                                       "burst_votes", "burst_seconds", "[units]"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, ";   %s ", keys[i]);
        const char *at = strstr(text, needle);
        if (i == sizeof keys / sizeof keys[0] - 1)
            at = strstr(text, "; [units]\n");
        ck_assert_msg(at && at < kiosk, "no comment for %s before [kiosk]", keys[i]);
    }
    free(text);
    config_free(cfg);
}
END_TEST

START_TEST(test_format_optional_values)
{
    kiosk_config *cfg = parse_ok(HEAD UNITS); /* no export_dir, db NULL-free default */
    char *text = format_ok(cfg);
    ck_assert_ptr_null(strstr(text, "\nexport_dir ="));
    ck_assert_ptr_nonnull(strstr(text, "\ndb = kiosk.db\n"));
    free(text);

    /* db is written as given, and a missing one becomes kiosk.db. */
    free(cfg->db_path);
    cfg->db_path = strdup("/var/lib/minping/votes.db");
    text = format_ok(cfg);
    ck_assert_ptr_nonnull(strstr(text, "\ndb = /var/lib/minping/votes.db\n"));
    free(text);
    free(cfg->db_path);
    cfg->db_path = NULL;
    text = format_ok(cfg);
    ck_assert_ptr_nonnull(strstr(text, "\ndb = kiosk.db\n"));
    free(text);
    config_free(cfg);
}
END_TEST

/* Replaces *slot with a copy of value. */
static void set_str(char **slot, const char *value)
{
    free(*slot);
    *slot = value ? strdup(value) : NULL;
    ck_assert(!value || *slot);
}

static void expect_format_fail(kiosk_config *cfg, const char *want)
{
    char *text = (char *)"untouched";
    mp_err err = {{0}};
    ck_assert_int_eq(config_format(cfg, &text, &err), -1);
    ck_assert_str_eq(text, "untouched");
    ck_assert_msg(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
}

START_TEST(test_format_refuses_unreadable_values)
{
    kiosk_config *cfg = parse_ok(HEAD "[units]\nA01 = 甲\nB02 = 乙\n");
    set_str(&cfg->units[1].name, "乙 ;丙");
    expect_format_fail(cfg, "[units] B02: value contains \" ;\"");
    set_str(&cfg->units[1].name, " 乙");
    expect_format_fail(cfg, "[units] B02: value must not begin or end with a space");
    set_str(&cfg->units[1].name, "乙 ");
    expect_format_fail(cfg, "[units] B02: value must not begin or end with a space");
    set_str(&cfg->units[1].name, ";乙");
    expect_format_fail(cfg, "[units] B02: value must not begin with ';'");
    set_str(&cfg->units[1].name, "乙\n[kiosk]");
    expect_format_fail(cfg, "[units] B02: value contains a control character");
    set_str(&cfg->units[1].name, "乙");
    set_str(&cfg->units[1].code, "B=02");
    expect_format_fail(cfg, "unit code \"B=02\" may contain only");
    set_str(&cfg->units[1].code, "B02");

    char *line = url_line(200);
    set_str(&cfg->survey_url, line + strlen("survey_url = "));
    expect_format_fail(cfg, "[kiosk] survey_url: the line would be 200 bytes long, more than 199");
    free(line);
    line = url_line(199);
    set_str(&cfg->survey_url, line + strlen("survey_url = "));
    char *text = format_ok(cfg);
    kiosk_config *again = parse_ok(text);
    assert_same(cfg, again);
    config_free(again);
    free(text);
    free(line);

    set_str(&cfg->export_dir, "my exports ;old");
    expect_format_fail(cfg, "[kiosk] export_dir: value contains \" ;\"");
    set_str(&cfg->export_dir, NULL);
    set_str(&cfg->pin_hash, NULL);
    expect_format_fail(cfg, "[kiosk] pin_hash is not set");
    set_str(&cfg->pin_hash, HASH);
    cfg->n_units = 0;
    expect_format_fail(cfg, "lists no unit");
    cfg->n_units = 2;
    config_free(cfg);
}
END_TEST

START_TEST(test_numbers_api)
{
    mp_err err = {{0}};
    int min = 0, max = 0, def = 0;
    ck_assert_int_eq(config_number_info("idle_seconds", &min, &max, &def, &err), 0);
    ck_assert_int_eq(min, 5);
    ck_assert_int_eq(max, 3600);
    ck_assert_int_eq(def, 30);
    ck_assert_int_eq(config_number_info("id", &min, &max, &def, &err), -1);
    ck_assert_str_eq(err.msg, "id is not a numeric [kiosk] key");
    ck_assert_int_eq(config_check_number("burst_votes", 10000, &err), 0);
    ck_assert_int_eq(config_check_number("burst_votes", 10001, &err), -1);
    ck_assert_str_eq(err.msg, "must be from 1 to 10000 (is 10001)");

    kiosk_config cfg = {0};
    config_set_defaults(&cfg);
    ck_assert_int_eq(cfg.thanks_seconds, 6);
    ck_assert_int_eq(cfg.burst_seconds, 60);
    ck_assert_int_eq(config_set_number(&cfg, "cooldown_seconds", 5, &err), 0);
    ck_assert_int_eq(cfg.cooldown_seconds, 5);
    ck_assert_int_eq(config_set_number(&cfg, "cooldown_seconds", 61, &err), -1);
    ck_assert_int_eq(cfg.cooldown_seconds, 5);
    ck_assert_int_eq(cfg.thanks_seconds, 6);
}
END_TEST

/* ---- [kiosk] signing_key ---- */

START_TEST(test_signing_key)
{
    /* Absent: no key. */
    kiosk_config *cfg = parse_ok(HEAD UNITS);
    ck_assert_ptr_null(cfg->signing_key_path);
    config_free(cfg);

    /* Relative to the config file's folder, like db; absolute as given. */
    const char *text = HEAD "signing_key = kiosk.key\n" UNITS;
    cfg = parse_ok_base(text, strlen(text), "/srv/kiosk");
    ck_assert_str_eq(cfg->signing_key_path, "/srv/kiosk/kiosk.key");
    config_free(cfg);
    text = HEAD "signing_key = keys/k1.key\n" UNITS;
    cfg = parse_ok(text);
    ck_assert_str_eq(cfg->signing_key_path, "keys/k1.key");
    config_free(cfg);
    text = HEAD "signing_key = /etc/minping/kiosk.key\n" UNITS;
    cfg = parse_ok_base(text, strlen(text), "/srv/kiosk");
    ck_assert_str_eq(cfg->signing_key_path, "/etc/minping/kiosk.key");
    config_free(cfg);

    /* Mistakes name the line and the key. */
    expect_fail(HEAD "signing_key =\n" UNITS,
                "test.ini:5: signing_key: must not be empty (leave the line out for no key)");
    expect_fail(HEAD "signing_key = a.key\nsigning_key = b.key\n" UNITS,
                "test.ini:6: signing_key: key given twice");
}
END_TEST

START_TEST(test_signing_key_load)
{
    char *dir = tu_mkdtemp_in(tu_root);
    char *path = tu_path(dir, "kiosk.ini");
    const char *text = HEAD "signing_key = kiosk.key\n" UNITS;
    tu_write_file(path, text, strlen(text));
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    ck_assert_msg(config_load(path, &cfg, &err) == 0, "%s", err.msg);
    char *want = tu_path(dir, "kiosk.key");
    ck_assert_str_eq(cfg->signing_key_path, want);
    config_free(cfg);
    free(want);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_format_signing_key)
{
    kiosk_config *cfg = parse_ok(HEAD "export_dir = /media/usb\nsigning_key = kiosk.key\n"
                                      "thanks_seconds = 9\n" UNITS);
    char *text = format_ok(cfg);
    /* Written after export_dir, before the numbers, and explained in the
     * comment header. */
    const char *ed = strstr(text, "\nexport_dir = /media/usb\n");
    const char *sk = strstr(text, "\nsigning_key = kiosk.key\n");
    const char *ts = strstr(text, "\nthanks_seconds = 9\n");
    ck_assert_msg(ed && sk && ts && ed < sk && sk < ts, "order wrong in:\n%s", text);
    const char *doc = strstr(text, ";   signing_key ");
    ck_assert_msg(doc && doc < strstr(text, "\n[kiosk]\n"), "no comment for signing_key");
    kiosk_config *again = parse_ok(text);
    ck_assert_str_eq(again->signing_key_path, "kiosk.key");
    assert_same(cfg, again);
    free(text);
    config_free(again);

    /* Not set: no line (the comment still explains the key). */
    free(cfg->signing_key_path);
    cfg->signing_key_path = NULL;
    text = format_ok(cfg);
    ck_assert_ptr_null(strstr(text, "\nsigning_key ="));
    ck_assert_ptr_nonnull(strstr(text, ";   signing_key "));
    again = parse_ok(text);
    ck_assert_ptr_null(again->signing_key_path);
    free(text);
    config_free(again);

    /* A value that would not read back is refused. */
    cfg->signing_key_path = strdup("my keys ;old");
    ck_assert_ptr_nonnull(cfg->signing_key_path);
    expect_format_fail(cfg, "[kiosk] signing_key: value contains \" ;\"");
    config_free(cfg);
}
END_TEST

/* ---- reasons ---- */

START_TEST(test_reasons)
{
    /* Absent: the default five, in order. */
    kiosk_config *cfg = parse_ok(HEAD UNITS);
    ck_assert_uint_eq(cfg->n_reasons, 5);
    ck_assert_str_eq(cfg->reasons[0], "办事效率低");
    ck_assert_str_eq(cfg->reasons[2], "信息不全或难找");
    ck_assert_str_eq(cfg->reasons[4], "其他");
    char *text = format_ok(cfg);
    ck_assert_ptr_null(strstr(text, "\nreasons =")); /* the default is not written */
    free(text);
    config_free(cfg);

    /* Given: in the file's order, spaces around each label dropped. */
    cfg = parse_ok(HEAD "reasons = 排队太久 | 材料反复要求|其他\n" UNITS);
    ck_assert_uint_eq(cfg->n_reasons, 3);
    ck_assert_str_eq(cfg->reasons[0], "排队太久");
    ck_assert_str_eq(cfg->reasons[1], "材料反复要求");
    ck_assert_str_eq(cfg->reasons[2], "其他");
    text = format_ok(cfg);
    ck_assert_ptr_nonnull(strstr(text, "\nreasons = 排队太久|材料反复要求|其他\n"));
    kiosk_config *again = parse_ok(text);
    ck_assert_uint_eq(again->n_reasons, 3);
    ck_assert_str_eq(again->reasons[1], "材料反复要求");
    free(text);
    config_free(again);
    config_free(cfg);

    /* Empty: no buttons, and that survives a round trip. */
    cfg = parse_ok(HEAD "reasons =\n" UNITS);
    ck_assert_uint_eq(cfg->n_reasons, 0);
    text = format_ok(cfg);
    ck_assert_ptr_nonnull(strstr(text, "\nreasons =\n"));
    again = parse_ok(text);
    ck_assert_uint_eq(again->n_reasons, 0);
    free(text);
    config_free(again);
    config_free(cfg);

    /* The limits: 8 labels of 10 characters are accepted. */
    cfg = parse_ok(HEAD "reasons = 一二三四五六七八九十|二|三|四|五|六|七|八\n" UNITS);
    ck_assert_uint_eq(cfg->n_reasons, CONFIG_REASONS_MAX);
    ck_assert_str_eq(cfg->reasons[0], "一二三四五六七八九十");
    config_free(cfg);
}
END_TEST

static const struct {
    const char *text, *want;
} BAD_REASONS[] = {
    {HEAD "reasons = 甲||乙\n" UNITS, "test.ini:5: reasons: reason 2 is empty"},
    {HEAD "reasons = 甲|\n" UNITS, "test.ini:5: reasons: reason 2 is empty"},
    {HEAD "reasons = | 甲\n" UNITS, "test.ini:5: reasons: reason 1 is empty"},
    {HEAD "reasons = 甲|乙|甲\n" UNITS, "test.ini:5: reasons: reason \"甲\" is given twice"},
    {HEAD "reasons = 一|二|三|四|五|六|七|八|九\n" UNITS,
     "test.ini:5: reasons: too many reasons (at most 8)"},
    {HEAD "reasons = 一二三四五六七八九十一\n" UNITS,
     "test.ini:5: reasons: reason \"一二三四五六七八九十一\" is longer than 10 characters"},
    {HEAD "reasons = abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\n" UNITS,
     "test.ini:5: reasons: reason 1 is longer than 10 characters"},
    {HEAD "reasons = 甲|=1+1\n" UNITS, "test.ini:5: reasons: \"=1+1\" starts with '='"},
    {HEAD "reasons = 甲|\xff\xfe\n" UNITS, "test.ini:5: reasons: reason 2 is not valid UTF-8"},
    {HEAD "reasons = 甲\nreasons = 乙\n" UNITS, "test.ini:6: reasons: key given twice"},
};

START_TEST(test_bad_reasons)
{
    expect_fail(BAD_REASONS[_i].text, BAD_REASONS[_i].want);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_valid_file);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_range_edges_accepted);
    tcase_add_test(tc, test_crlf);
    tcase_add_test(tc, test_bom);
    tcase_add_test(tc, test_no_final_newline);
    tcase_add_test(tc, test_name_limit);
    tcase_add_test(tc, test_numbers_api);
    suite_add_tcase(s, tc);

    tc = tcase_create("mistakes");
    tcase_add_loop_test(tc, test_bad_value, 0, (int)(sizeof BAD / sizeof BAD[0]));
    tcase_add_test(tc, test_line_length);
    tcase_add_test(tc, test_nul_byte);
    tcase_add_test(tc, test_too_many_units);
    suite_add_tcase(s, tc);

    tc = tcase_create("paths");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_test(tc, test_relative_paths);
    tcase_add_test(tc, test_load_resolves_against_folder);
    tcase_add_test(tc, test_load_errors_name_the_file);
    tcase_add_test(tc, test_signing_key_load);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_add_test(tc, test_format_round_trip);
    tcase_add_test(tc, test_renderer);
    tcase_add_test(tc, test_voice);
    tcase_add_test(tc, test_format_demo_round_trip);
    tcase_add_test(tc, test_format_order_and_comments);
    tcase_add_test(tc, test_format_optional_values);
    tcase_add_test(tc, test_format_refuses_unreadable_values);
    tcase_add_test(tc, test_format_signing_key);
    suite_add_tcase(s, tc);

    tc = tcase_create("reasons");
    tcase_add_test(tc, test_reasons);
    tcase_add_loop_test(tc, test_bad_reasons, 0, (int)(sizeof BAD_REASONS / sizeof BAD_REASONS[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("signing_key");
    tcase_add_test(tc, test_signing_key);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(config_suite());
}
