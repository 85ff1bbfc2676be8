/* fuzz_config.c - libFuzzer target: a kiosk.ini as the kiosk reads it
 * (config_parse: our line reader in front of inih, then every check).
 *
 * A rejected file must allocate nothing and explain itself in one line
 * without control characters.  An accepted one must hold what config.h
 * promises (valid id, URL, PIN hash, numbers in range, 1-200 distinct valid
 * units, paths resolved against the file's folder), and must survive a
 * round trip: config_format either refuses it with a reason or writes a
 * file that config_parse reads back to the same configuration.
 */
#include "config.h"
#include "fuzzutil.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/fuzz/kiosk"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FUZZ_CHECK(sodium_init() >= 0, "libsodium failed to initialise");
    return 0;
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_path(const char *what, const char *p, int optional)
{
    if (!p) {
        FUZZ_CHECK(optional, "%s is missing", what);
        return;
    }
    FUZZ_CHECK(p[0] == '/', "%s \"%s\" was not resolved against " BASE, what, p);
}

static void check_config(const kiosk_config *cfg)
{
    mp_err why;
    FUZZ_CHECK(cfg->id && config_check_kiosk_id(cfg->id, &why) == 0, "id: %s", why.msg);
    FUZZ_CHECK(cfg->survey_url && config_check_survey_url(cfg->survey_url, &why) == 0,
               "survey_url: %s", why.msg);
    FUZZ_CHECK(cfg->pin_hash && strncmp(cfg->pin_hash, "$argon2", 7) == 0, "pin_hash");
    check_path("db", cfg->db_path, 0);
    check_path("export_dir", cfg->export_dir, 1);
    check_path("signing_key", cfg->signing_key_path, 1);
    static const char *const keys[] = {"thanks_seconds", "cooldown_seconds", "idle_seconds",
                                       "burst_votes", "burst_seconds"};
    const int values[] = {cfg->thanks_seconds, cfg->cooldown_seconds, cfg->idle_seconds,
                          cfg->burst_votes, cfg->burst_seconds};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        FUZZ_CHECK(config_check_number(keys[i], values[i], &why) == 0, "%s: %s", keys[i],
                   why.msg);
    FUZZ_CHECK(cfg->cooldown_seconds < cfg->thanks_seconds, "cooldown %d, thanks %d",
               cfg->cooldown_seconds, cfg->thanks_seconds);
    FUZZ_CHECK(cfg->n_units >= 1 && cfg->n_units <= CONFIG_UNITS_MAX, "%zu units", cfg->n_units);
    for (size_t i = 0; i < cfg->n_units; i++) {
        const config_unit *u = &cfg->units[i];
        FUZZ_CHECK(config_check_unit_code(u->code, &why) == 0, "unit %zu: %s", i, why.msg);
        FUZZ_CHECK(config_check_unit_name(u->name, &why) == 0, "unit %s: %s", u->code, why.msg);
        FUZZ_CHECK(config_find_unit(cfg, u->code) == u, "unit %s listed twice", u->code);
    }
}

static void check_same(const kiosk_config *a, const kiosk_config *b, const char *text)
{
    int same = same_str(a->id, b->id) && same_str(a->survey_url, b->survey_url) &&
               same_str(a->pin_hash, b->pin_hash) && same_str(a->db_path, b->db_path) &&
               same_str(a->export_dir, b->export_dir) &&
               same_str(a->signing_key_path, b->signing_key_path) &&
               a->thanks_seconds == b->thanks_seconds &&
               a->cooldown_seconds == b->cooldown_seconds && a->idle_seconds == b->idle_seconds &&
               a->burst_votes == b->burst_votes && a->burst_seconds == b->burst_seconds &&
               a->n_units == b->n_units;
    for (size_t i = 0; same && i < a->n_units; i++)
        same = strcmp(a->units[i].code, b->units[i].code) == 0 &&
               strcmp(a->units[i].name, b->units[i].name) == 0;
    FUZZ_CHECK(same, "config_format wrote a file that reads back differently:\n%s", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    if (config_parse((const char *)data, size, "kiosk.ini", BASE, &cfg, &err) < 0) {
        FUZZ_CHECK(cfg == NULL, "a failed parse returned a configuration");
        fuzz_check_message(&err, "config_parse");
        return 0;
    }
    check_config(cfg);

    char *text = NULL;
    if (config_format(cfg, &text, &err) == 0) {
        kiosk_config *again = NULL;
        FUZZ_CHECK(config_parse(text, strlen(text), "again.ini", BASE, &again, &err) == 0,
                   "config_format wrote a file config_parse refuses: %s\n%s", err.msg, text);
        check_same(cfg, again, text);
        config_free(again);
        free(text);
    } else {
        fuzz_check_message(&err, "config_format");
    }
    config_free(cfg);
    return 0;
}
