/* qr.c - survey URL templating and QR encoding. */
#include "qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

static size_t encoded_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        int plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.' || *c == '~';
        n += plain ? 1 : 3;
    }
    return n;
}

static char *append_encoded(char *dst, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        int plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.' || *c == '~';
        if (plain) {
            *dst++ = (char)*c;
        } else {
            *dst++ = '%';
            *dst++ = hex[*c >> 4];
            *dst++ = hex[*c & 15];
        }
    }
    return dst;
}

/* The placeholders and what each is replaced with, percent-encoded. */
typedef struct slot {
    const char *name;
    size_t name_len;
    const char *value;
    size_t encoded;
} slot;

static const slot *slot_at(const slot *slots, size_t n, const char *p)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(p, slots[i].name, slots[i].name_len) == 0)
            return &slots[i];
    return NULL;
}

int qr_payload(const char *tmpl, const char *kiosk, const char *unit, const char *token,
               char **out, mp_err *err)
{
    slot slots[] = {
        {"{kiosk}", 7, kiosk, encoded_len(kiosk)},
        {"{unit}", 6, unit, encoded_len(unit)},
        {"{token}", 7, token ? token : "", encoded_len(token ? token : "")},
    };
    size_t n = sizeof slots / sizeof slots[0];
    size_t need = 1;
    for (const char *p = tmpl; *p;) {
        const slot *s = slot_at(slots, n, p);
        need += s ? s->encoded : 1;
        p += s ? s->name_len : 1;
    }
    char *buf = malloc(need);
    if (!buf)
        return mp_fail(err, "out of memory");
    char *d = buf;
    for (const char *p = tmpl; *p;) {
        const slot *s = slot_at(slots, n, p);
        if (s) {
            d = append_encoded(d, s->value);
            p += s->name_len;
        } else {
            *d++ = *p++;
        }
    }
    *d = '\0';
    *out = buf;
    return 0;
}

int qr_wants_token(const char *tmpl)
{
    return strstr(tmpl, "{token}") != NULL;
}

int qr_encode(const char *text, qr_code **out, mp_err *err)
{
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q)
        return mp_fail(err, "cannot encode the survey link as a QR code (too long?)");
    qr_code *qr = malloc(sizeof *qr);
    unsigned char *dark = malloc((size_t)q->width * (size_t)q->width);
    if (!qr || !dark) {
        free(qr);
        free(dark);
        QRcode_free(q);
        return mp_fail(err, "out of memory");
    }
    qr->width = q->width;
    for (int i = 0; i < q->width * q->width; i++)
        dark[i] = q->data[i] & 1;
    qr->dark = dark;
    QRcode_free(q);
    *out = qr;
    return 0;
}

void qr_free(qr_code *qr)
{
    if (!qr)
        return;
    free(qr->dark);
    free(qr);
}

int qr_module_px(const qr_code *qr, int avail)
{
    if (avail <= 0)
        return 0;
    return avail / (qr->width + 2 * QR_QUIET_MODULES);
}
