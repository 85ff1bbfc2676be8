/* check_sign.c - the kiosk's signing key: key pairs and ids, the key file
 * (mode, exclusive create, replace, every way a file is refused), and
 * detached signatures, including a published Ed25519 test vector. */
#include "sign.h"
#include "testutil.h"

#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "minping-ed25519-secret-v1"

static char *dir;      /* this test's folder */
static char *key_path; /* dir/kiosk.key */

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    key_path = tu_path(dir, "kiosk.key");
}

static void teardown(void)
{
    free(key_path);
    free(dir);
}

static sign_key keygen_ok(void)
{
    sign_key k;
    mp_err err = {{0}};
    ck_assert_msg(sign_keygen(&k, &err) == 0, "sign_keygen: %s", err.msg);
    return k;
}

static int is_lower_hex(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* Writes text as the key file with the given mode. */
static void write_key_text(const char *text, size_t len, mode_t mode)
{
    unlink(key_path);
    tu_write_file(key_path, text, len);
    ck_assert_int_eq(chmod(key_path, mode), 0);
}

/* Loading must fail with a message containing want, leaving *out alone. */
static void expect_load_fail(const char *want)
{
    sign_key k;
    memset(&k, 0x5A, sizeof k);
    sign_key before = k;
    mp_err err = {{0}};
    ck_assert_int_eq(sign_key_load(key_path, &k, &err), -1);
    ck_assert_msg(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
    ck_assert_msg(strstr(err.msg, key_path) != NULL, "message \"%s\" does not name the file",
                  err.msg);
    ck_assert_mem_eq(&k, &before, sizeof k);
}

/* The key file's text for secret key sk (64 bytes). */
static void key_text(const unsigned char *sk, size_t sk_len, char *out, size_t len)
{
    char b64[200];
    sodium_bin2base64(b64, sizeof b64, sk, sk_len, sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, len, MAGIC "\n%s\n", b64);
}

START_TEST(test_keygen)
{
    sign_key a = keygen_ok(), b = keygen_ok();
    ck_assert_uint_eq(strlen(a.id), SIGN_ID_CHARS);
    ck_assert(is_lower_hex(a.id));
    char id[SIGN_ID_CHARS + 1];
    sign_key_id(a.pk, id);
    ck_assert_str_eq(id, a.id);
    ck_assert(memcmp(a.pk, b.pk, SIGN_PK_BYTES) != 0);
    ck_assert(memcmp(a.sk, b.sk, SIGN_SK_BYTES) != 0);
    ck_assert_str_ne(a.id, b.id);
    /* libsodium's secret key carries the public key in its second half. */
    ck_assert_mem_eq(a.sk + 32, a.pk, SIGN_PK_BYTES);
}
END_TEST

START_TEST(test_key_id_is_blake2b_prefix)
{
    sign_key a = keygen_ok();
    unsigned char h[32];
    ck_assert_int_eq(crypto_generichash(h, sizeof h, a.pk, sizeof a.pk, NULL, 0), 0);
    char want[17];
    sodium_bin2hex(want, sizeof want, h, 8);
    ck_assert_str_eq(a.id, want);
}
END_TEST

START_TEST(test_save_load_round_trip)
{
    sign_key a = keygen_ok();
    mp_err err = {{0}};
    ck_assert_msg(sign_key_save(key_path, &a, &err) == 0, "sign_key_save: %s", err.msg);
    struct stat sb;
    ck_assert_int_eq(lstat(key_path, &sb), 0);
    ck_assert(S_ISREG(sb.st_mode));
    ck_assert_int_eq(sb.st_mode & 07777, 0600);

    /* Two lines: the magic and the 64-byte secret key in standard base64. */
    size_t len = 0;
    char *text = tu_read_file(key_path, &len);
    char want[300];
    key_text(a.sk, sizeof a.sk, want, sizeof want);
    ck_assert_str_eq(text, want);
    ck_assert_uint_eq(len, strlen(MAGIC) + 1 + 88 + 1);
    free(text);

    sign_key b;
    ck_assert_msg(sign_key_load(key_path, &b, &err) == 0, "sign_key_load: %s", err.msg);
    ck_assert_mem_eq(b.sk, a.sk, sizeof a.sk);
    ck_assert_mem_eq(b.pk, a.pk, sizeof a.pk);
    ck_assert_str_eq(b.id, a.id);

    /* CRLF line ends (a copy through another system) are read too. */
    char crlf[300];
    char b64[100];
    sodium_bin2base64(b64, sizeof b64, a.sk, sizeof a.sk, sodium_base64_VARIANT_ORIGINAL);
    snprintf(crlf, sizeof crlf, MAGIC "\r\n%s\r\n", b64);
    write_key_text(crlf, strlen(crlf), 0600);
    memset(&b, 0, sizeof b);
    ck_assert_msg(sign_key_load(key_path, &b, &err) == 0, "sign_key_load: %s", err.msg);
    ck_assert_str_eq(b.id, a.id);
}
END_TEST

START_TEST(test_save_never_overwrites)
{
    tu_write_file(key_path, "precious", 8);
    sign_key a = keygen_ok();
    mp_err err = {{0}};
    ck_assert_int_eq(sign_key_save(key_path, &a, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "already exists"));
    char *text = tu_read_file(key_path, NULL);
    ck_assert_str_eq(text, "precious");
    free(text);

    /* Nor through a symbolic link. */
    char *target = tu_path(dir, "target");
    char *link = tu_path(dir, "link.key");
    ck_assert_int_eq(symlink(target, link), 0);
    ck_assert_int_eq(sign_key_save(link, &a, &err), -1);
    ck_assert(!tu_exists(target));
    free(target);
    free(link);
}
END_TEST

START_TEST(test_replace)
{
    sign_key a = keygen_ok(), b = keygen_ok();
    mp_err err = {{0}};
    ck_assert_int_eq(sign_key_save(key_path, &a, &err), 0);
    ck_assert_msg(sign_key_replace(key_path, &b, &err) == 0, "sign_key_replace: %s", err.msg);
    struct stat sb;
    ck_assert_int_eq(stat(key_path, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0600);
    sign_key c;
    ck_assert_int_eq(sign_key_load(key_path, &c, &err), 0);
    ck_assert_str_eq(c.id, b.id);
    /* Replacing where there was nothing creates the file. */
    unlink(key_path);
    ck_assert_int_eq(sign_key_replace(key_path, &a, &err), 0);
    ck_assert_int_eq(sign_key_load(key_path, &c, &err), 0);
    ck_assert_str_eq(c.id, a.id);
}
END_TEST

START_TEST(test_load_refuses_malformed)
{
    sign_key a = keygen_ok();
    char good[300];
    key_text(a.sk, sizeof a.sk, good, sizeof good);
    char text[600];

    expect_load_fail("cannot open the signing key: No such file or directory");

    write_key_text("", 0, 0600);
    expect_load_fail("not a Minping signing key (the first line must be \"" MAGIC "\")");

    snprintf(text, sizeof text, "minping-ed25519-secret-v2%s", good + strlen(MAGIC));
    write_key_text(text, strlen(text), 0600);
    expect_load_fail("not a Minping signing key");

    /* Base64 of 63 bytes, of 65 bytes, and not base64 at all. */
    key_text(a.sk, 63, text, sizeof text);
    write_key_text(text, strlen(text), 0600);
    expect_load_fail("the signing key is damaged (the second line is not a 64-byte key in "
                     "base64)");
    unsigned char longer[65] = {0};
    memcpy(longer, a.sk, 64);
    key_text(longer, sizeof longer, text, sizeof text);
    write_key_text(text, strlen(text), 0600);
    expect_load_fail("the second line is not a 64-byte key");
    snprintf(text, sizeof text, "%s", good);
    text[strlen(MAGIC) + 5] = '*';
    write_key_text(text, strlen(text), 0600);
    expect_load_fail("the second line is not a 64-byte key");
    /* URL-safe base64 is another variant. */
    char b64url[100];
    sodium_bin2base64(b64url, sizeof b64url, a.sk, sizeof a.sk,
                      sodium_base64_VARIANT_URLSAFE);
    snprintf(text, sizeof text, MAGIC "\n%s\n", b64url);
    if (strpbrk(b64url, "-_")) {
        write_key_text(text, strlen(text), 0600);
        expect_load_fail("the second line is not a 64-byte key");
    }
    /* Only the first line. */
    write_key_text(MAGIC "\n", strlen(MAGIC) + 1, 0600);
    expect_load_fail("the second line is not a 64-byte key");

    /* Anything after the key. */
    snprintf(text, sizeof text, "%s\n", good);
    write_key_text(text, strlen(text), 0600);
    expect_load_fail("the signing key is damaged (text follows the key)");
    snprintf(text, sizeof text, "%sextra\n", good);
    write_key_text(text, strlen(text), 0600);
    expect_load_fail("text follows the key");

    /* The public half changed: it no longer belongs to the secret half. */
    unsigned char sk[64];
    memcpy(sk, a.sk, 64);
    sk[40] ^= 0x01;
    key_text(sk, sizeof sk, text, sizeof text);
    write_key_text(text, strlen(text), 0600);
    expect_load_fail("the signing key is damaged (its public half does not match its secret "
                     "half)");
    /* The secret half changed. */
    memcpy(sk, a.sk, 64);
    sk[3] ^= 0x80;
    key_text(sk, sizeof sk, text, sizeof text);
    write_key_text(text, strlen(text), 0600);
    expect_load_fail("its public half does not match its secret half");

    /* A large file. */
    char *big = calloc(1, 5000);
    ck_assert_ptr_nonnull(big);
    memset(big, 'A', 4999);
    write_key_text(big, 4999, 0600);
    expect_load_fail("not a Minping signing key (the file is too large)");
    free(big);

    /* And the good text still loads (the cases above really were the only
     * difference). */
    write_key_text(good, strlen(good), 0600);
    sign_key b;
    mp_err err = {{0}};
    ck_assert_msg(sign_key_load(key_path, &b, &err) == 0, "%s", err.msg);
}
END_TEST

START_TEST(test_load_refuses_unsafe_files)
{
    sign_key a = keygen_ok();
    char good[300];
    key_text(a.sk, sizeof a.sk, good, sizeof good);

    /* Readable by the group or by everyone: refused, like ssh does. */
    write_key_text(good, strlen(good), 0644);
    expect_load_fail("the signing key can be used by other users (mode 0644); make it private "
                     "to the kiosk's user with chmod 600");
    write_key_text(good, strlen(good), 0640);
    expect_load_fail("(mode 0640)");
    write_key_text(good, strlen(good), 0602);
    expect_load_fail("(mode 0602)");
    write_key_text(good, strlen(good), 0400);
    sign_key b;
    mp_err err = {{0}};
    ck_assert_msg(sign_key_load(key_path, &b, &err) == 0, "mode 0400: %s", err.msg);

    /* A symbolic link to a good key. */
    char *link = tu_path(dir, "link.key");
    ck_assert_int_eq(symlink(key_path, link), 0);
    ck_assert_int_eq(sign_key_load(link, &b, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "the signing key is a symbolic link; refusing to use it"));
    free(link);

    /* A folder. */
    unlink(key_path);
    ck_assert_int_eq(mkdir(key_path, 0700), 0);
    expect_load_fail("the signing key is not a regular file");
    rmdir(key_path);
}
END_TEST

/* RFC 8032, section 7.1, test 1: an empty message. */
START_TEST(test_rfc8032_vector)
{
    static const char seed_hex[] =
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    static const char pk_hex[] =
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    static const char sig_hex[] =
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
        "701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    unsigned char seed[32], pk[32], sig_want[64];
    ck_assert_int_eq(sodium_hex2bin(seed, 32, seed_hex, 64, NULL, NULL, NULL), 0);
    ck_assert_int_eq(sodium_hex2bin(pk, 32, pk_hex, 64, NULL, NULL, NULL), 0);
    ck_assert_int_eq(sodium_hex2bin(sig_want, 64, sig_hex, 128, NULL, NULL, NULL), 0);

    sign_key k;
    ck_assert_int_eq(crypto_sign_seed_keypair(k.pk, k.sk, seed), 0);
    sign_key_id(k.pk, k.id);
    ck_assert_mem_eq(k.pk, pk, 32);
    unsigned char sig[SIGN_BYTES];
    sign_detached(&k, "", 0, sig);
    ck_assert_mem_eq(sig, sig_want, 64);
    ck_assert_int_eq(sign_verify(pk, "", 0, sig), 1);

    /* Saved and loaded, the key still makes the same signature. */
    mp_err err = {{0}};
    ck_assert_int_eq(sign_key_save(key_path, &k, &err), 0);
    sign_key l;
    ck_assert_int_eq(sign_key_load(key_path, &l, &err), 0);
    sign_detached(&l, "", 0, sig);
    ck_assert_mem_eq(sig, sig_want, 64);
}
END_TEST

START_TEST(test_sign_verify)
{
    sign_key a = keygen_ok(), b = keygen_ok();
    static const char msg[] = "终端编号,数据库实例\r\nroom-01,...\r\n";
    unsigned char sig[SIGN_BYTES];
    sign_detached(&a, msg, sizeof msg - 1, sig);
    ck_assert_int_eq(sign_verify(a.pk, msg, sizeof msg - 1, sig), 1);
    /* Another key, another message, a shorter message, a changed signature. */
    ck_assert_int_eq(sign_verify(b.pk, msg, sizeof msg - 1, sig), 0);
    ck_assert_int_eq(sign_verify(a.pk, msg, sizeof msg - 2, sig), 0);
    char changed[sizeof msg];
    memcpy(changed, msg, sizeof msg);
    changed[3] ^= 0x01;
    ck_assert_int_eq(sign_verify(a.pk, changed, sizeof msg - 1, sig), 0);
    for (size_t i = 0; i < SIGN_BYTES; i++) {
        sig[i] ^= 0x40;
        ck_assert_msg(sign_verify(a.pk, msg, sizeof msg - 1, sig) == 0,
                      "a signature changed at byte %zu still verifies", i);
        sig[i] ^= 0x40;
    }
    ck_assert_int_eq(sign_verify(a.pk, msg, sizeof msg - 1, sig), 1);
}
END_TEST

START_TEST(test_wipe)
{
    sign_key a = keygen_ok();
    sign_key_wipe(&a);
    static const sign_key zero;
    ck_assert_mem_eq(&a, &zero, sizeof a);
}
END_TEST

static Suite *sign_suite(void)
{
    Suite *s = suite_create("sign");
    TCase *tc = tcase_create("keys");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_keygen);
    tcase_add_test(tc, test_key_id_is_blake2b_prefix);
    tcase_add_test(tc, test_save_load_round_trip);
    tcase_add_test(tc, test_save_never_overwrites);
    tcase_add_test(tc, test_replace);
    tcase_add_test(tc, test_load_refuses_malformed);
    tcase_add_test(tc, test_load_refuses_unsafe_files);
    tcase_add_test(tc, test_wipe);
    suite_add_tcase(s, tc);

    tc = tcase_create("signatures");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_rfc8032_vector);
    tcase_add_test(tc, test_sign_verify);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(sign_suite());
}
