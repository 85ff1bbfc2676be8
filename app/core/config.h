/* config.h - the kiosk's runtime configuration (kiosk.ini).
 *
 * The file is INI, UTF-8, at most 199 bytes a line:
 *
 *   [kiosk]
 *   id = reading-room-01            ; required, [A-Za-z0-9_-], 1-64 chars
 *   survey_url = https://x/?k={kiosk}&u={unit}   ; required, http(s)
 *   pin_hash = $argon2id$...        ; required, crypto_pwhash_str output
 *   db = kiosk.db                   ; relative to the config file's folder
 *   export_dir =                    ; optional
 *   signing_key = kiosk.key         ; optional; relative to the file's folder
 *   renderer = software             ; software (default) or gpu
 *   thanks_seconds = 6  cooldown_seconds = 3  idle_seconds = 30
 *   burst_votes = 5     burst_seconds = 60
 *   voice = on                      ; on (default) or off: spoken prompts
 *   volume = 80                     ; 0-100, percent of the recorded level
 *   open_hours = 08:00-17:30        ; optional: outside them the kiosk sleeps
 *   open_days = 1-5                 ; optional: ISO weekdays, 1 = Monday ... 7
 *   reasons = 办事效率低|服务态度差|…  ; optional: the thank-you's reason buttons
 *                                   ; after 一般/不满意; empty: none
 *   [units]
 *   CODE = 名称                      ; one or more, shown in file order
 *
 * Every error names the file, the line (where there is one) and the key.
 */
#ifndef MINPING_CONFIG_H
#define MINPING_CONFIG_H

#include "err.h"

#include <stddef.h>
#include <stdint.h>

enum {
    CONFIG_CODE_MAX = 32,      /* unit code length in bytes */
    CONFIG_ID_MAX = 64,        /* kiosk id length in bytes */
    CONFIG_NAME_MAX_CHARS = 24,/* unit name length in characters */
    CONFIG_UNITS_MAX = 200,
    CONFIG_LINE_MAX = 199,     /* bytes per line, newline excluded */
    CONFIG_REASONS_MAX = 8,    /* reason buttons */
    CONFIG_REASON_MAX_CHARS = 10, /* characters per reason label */
    CONFIG_REASON_BYTES = CONFIG_REASON_MAX_CHARS * 4 + 1,
};

/* The reasons a kiosk offers when [kiosk] reasons is absent, '|'-joined. */
#define CONFIG_REASONS_DEFAULT "办事效率低|服务态度差|信息不全或难找|多次跑腿|其他"

#define CONFIG_ALL_DAYS 0xFEu      /* open_days bits 1..7 */

/* [kiosk] renderer: how frames are drawn (app/kiosk/window.h). */
enum {
    CONFIG_RENDERER_SOFTWARE = 0,
    CONFIG_RENDERER_GPU = 1,
    CONFIG_RENDERER_DEFAULT = CONFIG_RENDERER_SOFTWARE,
};

/* [kiosk] voice: on unless the file says off (app/kiosk/voice.h). */
enum { CONFIG_VOICE_DEFAULT = 1 };

typedef struct config_unit {
    char *code;
    char *name;
} config_unit;

typedef struct kiosk_config {
    char *path;        /* the file it was read from (or a label) */
    char *id;
    char *survey_url;
    char *pin_hash;
    char *db_path;     /* resolved against the config file's folder */
    char *export_dir;  /* NULL when not configured; resolved likewise */
    char *signing_key_path; /* [kiosk] signing_key: the secret key file (sign.h);
                               NULL when not configured; resolved likewise */
    int renderer;      /* CONFIG_RENDERER_* */
    int thanks_seconds;
    int cooldown_seconds;
    int idle_seconds;
    int burst_votes;
    int burst_seconds;
    int voice;         /* 1: spoken prompts on (CONFIG_VOICE_DEFAULT), 0: silent */
    int volume;        /* 0-100: percent of the prompts' recorded level */
    /* open_hours: minutes of the local day [open_from, open_until), 0-1440;
     * open_from > open_until runs past midnight.  Absent: 0 and 1440.
     * open_days: bit d set (1 = Monday ... 7 = Sunday) when open that day;
     * absent: CONFIG_ALL_DAYS.  Both absent: always open. */
    int open_from, open_until;
    unsigned open_days;
    /* reasons: the labels of the thank-you screen's reason buttons after
     * 一般 or 不满意, in order; each 1 to CONFIG_REASON_MAX_CHARS printable
     * characters, no '|', no two alike.  n_reasons 0: no buttons.  Absent:
     * CONFIG_REASONS_DEFAULT. */
    size_t n_reasons;
    char reasons[CONFIG_REASONS_MAX][CONFIG_REASON_BYTES];
    size_t n_units;
    config_unit *units;
} kiosk_config;

/* Reads and validates the file at path.  On success *out owns a new config
 * (free with config_free).  On failure nothing is allocated. */
int config_load(const char *path, kiosk_config **out, mp_err *err);

/* Same from a buffer: label names it in messages, base_dir resolves relative
 * paths (NULL: the current directory). */
int config_parse(const char *text, size_t len, const char *label, const char *base_dir,
                 kiosk_config **out, mp_err *err);

void config_free(kiosk_config *cfg);

/* Returns the unit with the given code, or NULL. */
const config_unit *config_find_unit(const kiosk_config *cfg, const char *code);

/* Validators shared with provisioning; each returns 0 or fails with a reason. */
int config_check_kiosk_id(const char *id, mp_err *err);
int config_check_unit_code(const char *code, mp_err *err);
int config_check_unit_name(const char *name, mp_err *err);
/* Refuses a unit code or name that a spreadsheet would run as a formula
 * when an export or report is opened in Excel/WPS: one starting with '=',
 * '+', '-' or '@' (or a tab or carriage return).  Checked where codes and
 * names enter (kiosk.ini, provision, units import), not where exports are
 * read, so votes already cast under such a name still import. */
int config_check_not_formula(const char *text, mp_err *err);
int config_check_survey_url(const char *url, mp_err *err);
/* Checks value against the range of the numeric [kiosk] key `key`
 * (e.g. "thanks_seconds"); fails for a key that is not numeric. */
int config_check_number(const char *key, long value, mp_err *err);
/* The range and default of the numeric [kiosk] key `key`. */
int config_number_info(const char *key, int *min, int *max, int *def, mp_err *err);
/* "software" or "gpu"; and back (-1 for any other name). */
const char *config_renderer_name(int renderer);
int config_renderer_by_name(const char *name);

/* Parses a reasons value ("a|b|c"; spaces around each label dropped; ""
 * is none) into cfg->reasons, or fails with a reason, leaving cfg as it
 * was. */
int config_set_reasons(kiosk_config *cfg, const char *value, mp_err *err);
/* cfg's reasons joined by '|' (buf of n bytes; "" when none). */
void config_format_reasons(const kiosk_config *cfg, char *buf, size_t n);

/* Sets cfg's numeric settings, renderer and reasons to the defaults a file
 * that omits them gets. */
void config_set_defaults(kiosk_config *cfg);
/* Checks value as config_check_number does and stores it in cfg. */
int config_set_number(kiosk_config *cfg, const char *key, long value, mp_err *err);

/* Is the kiosk open (not asleep) at local_time, Unix seconds plus the
 * local offset?  The day of open_days is the local date's weekday, also
 * after midnight in a range that runs past it. */
int config_is_open(const kiosk_config *cfg, int64_t local_time);
/* Does cfg restrict the hours at all (open_hours or open_days given)? */
int config_has_hours(const kiosk_config *cfg);
/* Seconds from local_time to the next whole minute at which the kiosk is
 * open (config_is_open); 0 when it is open at local_time.  Always less
 * than 8 days: open_days names a day and open_hours a minute of it. */
int64_t config_seconds_until_open(const kiosk_config *cfg, int64_t local_time);
/* Reads kiosk.ini's open_hours ("08:00-17:30") or open_days ("1-5,7") from
 * text into cfg, or fails with the reason the kiosk gives for that value
 * (the validators of the file, for provisioning). */
int config_set_hours(kiosk_config *cfg, const char *text, mp_err *err);
int config_set_days(kiosk_config *cfg, const char *text, mp_err *err);
/* "08:00-17:30" and "1-5,7", as kiosk.ini spells them (buf of n bytes). */
void config_format_hours(const kiosk_config *cfg, char *buf, size_t n);
void config_format_days(const kiosk_config *cfg, char *buf, size_t n);

/* Writes cfg as the text of a kiosk.ini: a comment header explaining each
 * key, then [kiosk] (id, survey_url, pin_hash, db, export_dir and
 * signing_key when set, then the numbers) and [units] in cfg's order.
 * db_path, export_dir and signing_key_path are written as given (NULL
 * db_path: "kiosk.db").  Fails, writing nothing, when
 * a required value is missing or a value cannot be read back unchanged (a
 * line over 199 bytes, a control character, " ;", surrounding spaces).
 * Does not otherwise validate: parse the result with config_parse for that.
 * On success *out is a malloc'd NUL-terminated string the caller frees. */
int config_format(const kiosk_config *cfg, char **out, mp_err *err);

#endif
