/* survey_config.h - the online survey server's configuration (survey.ini),
 * written by `minping-office provision-survey`, read by minping-survey.
 *
 *   [survey]
 *   id = county-portal              ; required, [A-Za-z0-9_-], 1-64 chars: the
 *                                   ; name its exports carry (like a kiosk id)
 *   db = survey.db                  ; relative to the file's folder
 *   signing_key = survey.key        ; required; relative to the file's folder
 *   listen = 127.0.0.1:8080         ; ADDR:PORT or [IPv6]:PORT; port 0: any free
 *   trusted_proxy =                 ; the reverse proxy's address: only a request
 *                                   ; from it has X-Forwarded-For believed
 *   votes_per_hour = 30             ; votes from one address per hour before
 *                                   ; further ones are flagged
 *   max_connections = 256  timeout_seconds = 15
 *   requests_per_minute = 240       ; from one address; more get 429
 *   [units]
 *   CODE = 名称                      ; one or more, shown in file order
 *   [reasons]
 *   slow = 办事效率低                ; follow-up reasons, shown in file order;
 *                                   ; without the section: the default five
 *   [kiosks]
 *   room-01 = <public key, base64>  ; kiosks whose follow-up tokens it accepts
 *
 * Same file rules as kiosk.ini (config.h): UTF-8, at most 199 bytes a line,
 * unknown keys or sections, a key twice or a bad value are errors naming the
 * file, the line and the key.
 */
#ifndef MINPING_SURVEY_CONFIG_H
#define MINPING_SURVEY_CONFIG_H

#include "config.h"
#include "err.h"
#include "sign.h"

#include <stddef.h>

enum {
    SURVEY_REASONS_MAX = 12,
    SURVEY_REASON_MAX_CHARS = 16,
    SURVEY_KIOSKS_MAX = 1000,
    SURVEY_LISTEN_MAX = 64,
};

typedef struct survey_kiosk {
    char *id;
    unsigned char pk[SIGN_PK_BYTES];
} survey_kiosk;

typedef struct survey_config {
    char *path;             /* the file it was read from (or a label) */
    char *id;
    char *db_path;          /* resolved against the file's folder */
    char *signing_key_path; /* resolved likewise */
    char *listen;           /* "ADDR:PORT" */
    char *trusted_proxy;    /* "" when none */
    int votes_per_hour;
    int max_connections;
    int timeout_seconds;
    int requests_per_minute;
    size_t n_units;
    config_unit *units;
    size_t n_reasons;
    char **reasons;         /* labels */
    size_t n_kiosks;
    survey_kiosk *kiosks;
} survey_config;

/* The follow-up reasons used when the file has no [reasons] section. */
extern const char *const SURVEY_DEFAULT_REASONS[];
enum { SURVEY_DEFAULT_REASON_COUNT = 5 };

/* Reads and validates the file at path; *out is freed with
 * survey_config_free.  On failure nothing is allocated. */
int survey_config_load(const char *path, survey_config **out, mp_err *err);
/* Same from a buffer: label names it in messages, base_dir resolves relative
 * paths (NULL: the current directory). */
int survey_config_parse(const char *text, size_t len, const char *label, const char *base_dir,
                        survey_config **out, mp_err *err);
void survey_config_free(survey_config *cfg);

/* The unit with that code, or NULL. */
const config_unit *survey_config_unit(const survey_config *cfg, const char *code);

/* Checks "ADDR:PORT" (IPv4 dotted quad or [IPv6], port 0-65535). */
int survey_config_check_listen(const char *listen, mp_err *err);

/* Writes cfg as the text of a survey.ini (a comment header, then [survey],
 * [units], [reasons] when they differ from the default, [kiosks]); db_path
 * and signing_key_path are written as given.  Fails, writing nothing, when a
 * value could not be read back unchanged.  *out is malloc'd. */
int survey_config_format(const survey_config *cfg, char **out, mp_err *err);

#endif
