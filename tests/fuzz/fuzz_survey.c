/* fuzz_survey.c - libFuzzer target: what minping-survey takes from the
 * network and its configuration, without HTTP.  The first byte picks:
 *
 *   0: a form body ("k=v&k=v..."), each value handed to form_feed in pieces
 *      of 1-8 bytes at rising offsets as libmicrohttpd's post processor
 *      would; then the rating, the vote seq, the comment cleaned, the form
 *      token checked.  Every answer must be one the server can act on: a
 *      rating of 10/8/6/0 or -1, a seq >= 1 or -1, a comment either refused
 *      or printable text of at most 200 characters, a random token refused.
 *   1: a cookie value: accepted only as 32 lowercase hex digits.
 *   2: a survey.ini: refused with one printable line and nothing allocated,
 *      or valid, and then written by survey_config_format and read back the
 *      same.
 *   3: text to escape: the result holds no < > " ' and no & that does not
 *      start an entity.
 *   4: a kiosk vote's follow-up token (/f/TOKEN): never accepted without
 *      the kiosk's signature, whatever its shape.
 */
#include "csrf.h"
#include "followup.h"
#include "form.h"
#include "fu_token.h"
#include "fuzzutil.h"
#include "html.h"
#include "survey_config.h"
#include "utf8.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FUZZ_CHECK(sodium_init() >= 0, "libsodium failed to initialise");
    return 0;
}

static void fuzz_form(const uint8_t *p, size_t n)
{
    form f;
    form_init(&f);
    size_t piece = n ? (size_t)(p[0] % 8) + 1 : 1;
    const char *s = (const char *)p, *end = s + n;
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(stop - s));
        char key[64];
        size_t kn = (size_t)((eq ? eq : stop) - s);
        if (kn >= sizeof key)
            kn = sizeof key - 1;
        memcpy(key, s, kn);
        key[kn] = '\0';
        const char *v = eq ? eq + 1 : stop;
        int was_overflow = f.overflow;
        for (uint64_t off = 0; v + off < stop || off == 0;) {
            size_t sz = (size_t)(stop - (v + off));
            if (sz > piece)
                sz = piece;
            int rc = form_feed(&f, key, v + off, off, sz);
            FUZZ_CHECK(!was_overflow || rc == -1, "an overflowed form took more");
            off += sz;
            if (sz == 0)
                break;
        }
        s = amp ? amp + 1 : end;
    }
    int r = form_rating(&f);
    FUZZ_CHECK(r == -1 || r == 10 || r == 8 || r == 6 || r == 0, "rating %d", r);
    int64_t seq = form_vote_seq(&f);
    FUZZ_CHECK(seq == -1 || seq >= 1, "seq %lld", (long long)seq);
    FUZZ_CHECK(f.n_reasons <= FORM_REASONS_MAX, "%zu reasons", f.n_reasons);
    FUZZ_CHECK(f.comment_len < sizeof f.comment, "comment length %zu", f.comment_len);
    char clean[FOLLOWUP_COMMENT_BYTES];
    mp_err err = {{0}};
    if (followup_clean_comment(f.comment, f.comment_len, clean, &err) == 0) {
        long chars = utf8_count_printable(clean);
        FUZZ_CHECK(chars >= 0 && chars <= FOLLOWUP_COMMENT_MAX_CHARS, "comment of %ld", chars);
    } else {
        FUZZ_CHECK(err.msg[0] && utf8_count_printable(err.msg) > 0, "no reason given");
    }
    csrf_key key;
    csrf_key_derive(&key, (const unsigned char *)"fuzz", 4);
    FUZZ_CHECK(!csrf_check(&key, "vote:GA01", "00112233445566778899aabbccddeeff", f.csrf,
                           1800000000),
               "a token nobody made was accepted: %s", f.csrf);
}

static void fuzz_cookie(const uint8_t *p, size_t n)
{
    char v[80];
    if (n >= sizeof v)
        n = sizeof v - 1;
    memcpy(v, p, n);
    v[n] = '\0';
    if (form_cookie_ok(v)) {
        FUZZ_CHECK(strlen(v) == 32, "cookie of %zu", strlen(v));
        for (size_t i = 0; i < 32; i++)
            FUZZ_CHECK((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f'), "cookie");
    }
}

static void fuzz_config(const uint8_t *p, size_t n)
{
    survey_config *c = NULL;
    mp_err err = {{0}};
    if (survey_config_parse((const char *)p, n, "survey.ini", "/fuzz", &c, &err) < 0) {
        FUZZ_CHECK(c == NULL, "a refused file left a configuration");
        FUZZ_CHECK(err.msg[0] && !strchr(err.msg, '\n'), "refusal: \"%s\"", err.msg);
        return;
    }
    FUZZ_CHECK(c->id && c->n_units >= 1 && c->n_reasons >= 1, "incomplete configuration");
    FUZZ_CHECK(survey_config_check_listen(c->listen, NULL) == 0, "listen %s", c->listen);
    char *text = NULL;
    if (survey_config_format(c, &text, &err) == 0) {
        survey_config *back = NULL;
        FUZZ_CHECK(survey_config_parse(text, strlen(text), "again", "/fuzz", &back, &err) == 0,
                   "its own text is refused: %s", err.msg);
        FUZZ_CHECK(strcmp(back->id, c->id) == 0 && back->n_units == c->n_units &&
                       back->n_reasons == c->n_reasons && back->n_kiosks == c->n_kiosks &&
                       back->votes_per_hour == c->votes_per_hour &&
                       strcmp(back->trusted_proxy, c->trusted_proxy) == 0,
                   "read back differently");
        for (size_t i = 0; i < c->n_units; i++)
            FUZZ_CHECK(strcmp(back->units[i].name, c->units[i].name) == 0, "unit %zu", i);
        survey_config_free(back);
        free(text);
    }
    survey_config_free(c);
}

static void fuzz_escape(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    FUZZ_CHECK(s != NULL, "out of memory");
    memcpy(s, p, n);
    s[n] = '\0';
    html_buf b = {0};
    html_esc(&b, s);
    for (const char *c = b.p ? b.p : ""; *c; c++) {
        FUZZ_CHECK(*c != '<' && *c != '>' && *c != '"' && *c != '\'', "unescaped %c", *c);
        if (*c == '&')
            FUZZ_CHECK(strncmp(c, "&amp;", 5) == 0 || strncmp(c, "&lt;", 4) == 0 ||
                           strncmp(c, "&gt;", 4) == 0 || strncmp(c, "&quot;", 6) == 0 ||
                           strncmp(c, "&#39;", 5) == 0,
                       "a bare &");
    }
    html_free(&b);
    free(s);
}

static int any_key(void *user, const char *kiosk, unsigned char pk[SIGN_PK_BYTES])
{
    (void)user;
    (void)kiosk;
    memset(pk, 0x42, SIGN_PK_BYTES);
    return 1;
}

static void fuzz_token(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    FUZZ_CHECK(s != NULL, "out of memory");
    memcpy(s, p, n);
    s[n] = '\0';
    fu_token t;
    int expired = 0;
    mp_err err = {{0}};
    FUZZ_CHECK(fu_token_verify(s, any_key, NULL, 1800000000, &t, &expired, &err) == -1,
               "a token nobody signed was accepted");
    FUZZ_CHECK(err.msg[0] != '\0', "refused without a reason");
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] % 5) {
    case 0: fuzz_form(data + 1, size - 1); break;
    case 1: fuzz_cookie(data + 1, size - 1); break;
    case 2: fuzz_config(data + 1, size - 1); break;
    case 3: fuzz_escape(data + 1, size - 1); break;
    default: fuzz_token(data + 1, size - 1); break;
    }
    return 0;
}
