/* sign.c - the kiosk's Ed25519 key pair: making it, the key file (save, load,
 * replace), key ids, and detached signatures.  All cryptography is
 * libsodium's; every buffer that held the secret key is wiped before it is
 * freed or goes out of scope. */
#include "sign.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(SIGN_PK_BYTES == crypto_sign_PUBLICKEYBYTES, "SIGN_PK_BYTES must match libsodium");
_Static_assert(SIGN_SK_BYTES == crypto_sign_SECRETKEYBYTES, "SIGN_SK_BYTES must match libsodium");
_Static_assert(SIGN_BYTES == crypto_sign_BYTES, "SIGN_BYTES must match libsodium");

#define KEY_MAGIC "minping-ed25519-secret-v1"
/* Standard base64 of the 64-byte secret key, with padding. */
#define KEY_B64_CHARS 88
/* The whole file: magic, newline, base64, newline (CRLF tolerated). */
enum { KEY_FILE_MAX = 256 };

_Static_assert(KEY_B64_CHARS + 1 == sodium_base64_ENCODED_LEN(SIGN_SK_BYTES,
                                                              sodium_base64_VARIANT_ORIGINAL),
               "the key file's base64 line has a fixed length");

void sign_key_id(const unsigned char pk[SIGN_PK_BYTES], char out[SIGN_ID_CHARS + 1])
{
    unsigned char h[crypto_generichash_BYTES];
    /* sodium_init is idempotent and picks the fastest BLAKE2b; should it
     * fail, the portable code gives the same hash, so its result is moot. */
    int ready = sodium_init();
    (void)ready;
    crypto_generichash(h, sizeof h, pk, SIGN_PK_BYTES, NULL, 0);
    sodium_bin2hex(out, SIGN_ID_CHARS + 1, h, SIGN_ID_CHARS / 2);
}

int sign_keygen(sign_key *out, mp_err *err)
{
    if (sodium_init() < 0)
        return mp_fail(err, "libsodium failed to initialise");
    if (crypto_sign_keypair(out->pk, out->sk) != 0) {
        sign_key_wipe(out);
        return mp_fail(err, "cannot make a signing key");
    }
    sign_key_id(out->pk, out->id);
    return 0;
}

void sign_key_wipe(sign_key *key)
{
    sodium_memzero(key, sizeof *key);
}

/* The key file's text into buf (KEY_FILE_MAX bytes); returns its length. */
static size_t format_key(const sign_key *key, char buf[KEY_FILE_MAX])
{
    size_t n = strlen(KEY_MAGIC);
    memcpy(buf, KEY_MAGIC "\n", n + 1);
    n++;
    sodium_bin2base64(buf + n, KEY_FILE_MAX - n, key->sk, SIGN_SK_BYTES,
                      sodium_base64_VARIANT_ORIGINAL);
    n += KEY_B64_CHARS;
    buf[n++] = '\n';
    return n;
}

static int save(const char *path, const sign_key *key, int replace, mp_err *err)
{
    char text[KEY_FILE_MAX];
    size_t n = format_key(key, text);
    int rc = replace ? fs_write_atomic(path, text, n, 0600, err)
                     : fs_write_new(path, text, n, 0600, err);
    sodium_memzero(text, sizeof text);
    return rc;
}

int sign_key_save(const char *path, const sign_key *key, mp_err *err)
{
    return save(path, key, 0, err);
}

int sign_key_replace(const char *path, const sign_key *key, mp_err *err)
{
    return save(path, key, 1, err);
}

/* Reads the whole (small) file at path into buf; *len receives its length. */
static int read_key_file(const char *path, char buf[KEY_FILE_MAX + 1], size_t *len, mp_err *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ELOOP)
            return mp_fail(err, "%s: the signing key is a symbolic link; refusing to use it",
                           path);
        return mp_fail(err, "%s: cannot open the signing key: %s", path, strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        int e = errno;
        close(fd);
        return mp_fail(err, "%s: cannot read the signing key: %s", path, strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return mp_fail(err, "%s: the signing key is not a regular file", path);
    }
    if (sb.st_mode & 077) {
        close(fd);
        return mp_fail(err,
                       "%s: the signing key can be used by other users (mode %04o); make it "
                       "private to the kiosk's user with chmod 600",
                       path, (unsigned)(sb.st_mode & 07777));
    }
    size_t have = 0;
    for (;;) {
        ssize_t got = read(fd, buf + have, KEY_FILE_MAX + 1 - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            close(fd);
            sodium_memzero(buf, KEY_FILE_MAX + 1);
            return mp_fail(err, "%s: cannot read the signing key: %s", path, strerror(e));
        }
        if (got == 0)
            break;
        have += (size_t)got;
        if (have > KEY_FILE_MAX)
            break;
    }
    close(fd);
    if (have > KEY_FILE_MAX) {
        sodium_memzero(buf, KEY_FILE_MAX + 1);
        return mp_fail(err, "%s: not a Minping signing key (the file is too large)", path);
    }
    *len = have;
    return 0;
}

/* Length of the line at p (up to end), without its line end; *next receives
 * where the following line starts (end if none). */
static size_t line_at(const char *p, const char *end, const char **next)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    *next = nl ? nl + 1 : end;
    size_t n = (size_t)(stop - p);
    if (n > 0 && nl && p[n - 1] == '\r')
        n--;
    return n;
}

/* Parses the key file's text (already read) into *out. */
static int parse_key(const char *path, const char *text, size_t len, sign_key *out, mp_err *err)
{
    const char *end = text + len, *p = text, *next;
    size_t n = line_at(p, end, &next);
    if (n != strlen(KEY_MAGIC) || memcmp(p, KEY_MAGIC, n) != 0)
        return mp_fail(err, "%s: not a Minping signing key (the first line must be \"%s\")",
                       path, KEY_MAGIC);
    p = next;
    n = line_at(p, end, &next);
    size_t bin_len = 0;
    const char *b64_end = NULL;
    if (n != KEY_B64_CHARS ||
        sodium_base642bin(out->sk, sizeof out->sk, p, n, NULL, &bin_len, &b64_end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len != SIGN_SK_BYTES || b64_end != p + n)
        return mp_fail(err, "%s: the signing key is damaged (the second line is not a %d-byte "
                            "key in base64)",
                       path, SIGN_SK_BYTES);
    if (next != end)
        return mp_fail(err, "%s: the signing key is damaged (text follows the key)", path);

    /* The secret key embeds the public key: derive it again from the seed
     * and compare, so a damaged half is caught here, not at the office. */
    unsigned char seed[crypto_sign_SEEDBYTES];
    unsigned char sk2[SIGN_SK_BYTES], pk2[SIGN_PK_BYTES];
    crypto_sign_ed25519_sk_to_seed(seed, out->sk);
    int rc = crypto_sign_seed_keypair(pk2, sk2, seed);
    crypto_sign_ed25519_sk_to_pk(out->pk, out->sk);
    int same = rc == 0 && sodium_memcmp(sk2, out->sk, sizeof sk2) == 0 &&
               sodium_memcmp(pk2, out->pk, sizeof pk2) == 0;
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk2, sizeof sk2);
    if (!same)
        return mp_fail(err, "%s: the signing key is damaged (its public half does not match "
                            "its secret half)",
                       path);
    sign_key_id(out->pk, out->id);
    return 0;
}

int sign_key_load(const char *path, sign_key *out, mp_err *err)
{
    if (sodium_init() < 0)
        return mp_fail(err, "libsodium failed to initialise");
    char text[KEY_FILE_MAX + 1];
    size_t len = 0;
    if (read_key_file(path, text, &len, err) < 0)
        return -1;
    sign_key key;
    int rc = parse_key(path, text, len, &key, err);
    sodium_memzero(text, sizeof text);
    if (rc == 0)
        *out = key;
    sign_key_wipe(&key);
    return rc;
}

void sign_detached(const sign_key *key, const void *msg, size_t len,
                   unsigned char sig[SIGN_BYTES])
{
    crypto_sign_detached(sig, NULL, msg, len, key->sk);
}

int sign_verify(const unsigned char pk[SIGN_PK_BYTES], const void *msg, size_t len,
                const unsigned char sig[SIGN_BYTES])
{
    if (sodium_init() < 0)
        return 0;
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}
