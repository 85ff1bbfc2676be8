/* survey.c - `minping-office provision-survey`: makes the online survey
 * server's signing key pair, writes its survey.key and survey.ini, and
 * records the survey (as a source of votes, beside the kiosks), its units
 * and its public key in the office database, so that its exports import
 * like a kiosk's.
 *
 * The order is provision's (provision.c): every argument checked and the
 * file text made and read back first; the office database opened; then the
 * key and survey.ini written (exclusive create, mode 0600); then one
 * transaction records the survey.  A failure after a file was written
 * removes what this command wrote.  survey.ini's [kiosks] lists every
 * provisioned kiosk with its newest public key: the kiosks whose thank-you
 * QR codes the survey will accept follow-ups from.
 */
#include "office.h"

#include "clock.h"
#include "config.h"
#include "fsutil.h"
#include "i18n.h"
#include "registry.h"
#include "sign.h"
#include "survey_config.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CMD "provision-survey"
#define INI_FILE "survey.ini"
#define KEY_FILE "survey.key"

enum { OPT_SURVEY = 256, OPT_UNIT, OPT_OUT, OPT_LISTEN, OPT_PROXY, OPT_PER_HOUR };

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] provision-survey --survey ID\n"
            "         --unit CODE=NAME [--unit CODE=NAME ...] --out DIR [OPTIONS]\n"
            "\n"
            "Makes a new signing key for the online survey server (minping-survey),\n"
            "writes DIR/survey.key (its secret key, mode 0600) and DIR/survey.ini (mode\n"
            "0600, which names it), and records the survey, its units and its public key\n"
            "in the office database, so that its exports import like a kiosk's.  Copy\n"
            "both files to the portal's server and run\n"
            "  minping-survey --config DIR/survey.ini\n"
            "\n"
            "Required:\n"
            "  --survey ID          the survey's name in its exports: 1 to 64 letters,\n"
            "                       digits, '-' or '_' (not the id of a kiosk)\n"
            "  --unit CODE=NAME     a unit citizens can rate; repeat it for each unit, in\n"
            "                       the order the page lists them\n"
            "  --out DIR            the folder to write survey.ini and survey.key into\n"
            "                       (created if missing; neither file may exist)\n"
            "\n"
            "Optional:\n"
            "  --listen ADDR:PORT   where the server listens (default 127.0.0.1:8080,\n"
            "                       behind the portal's reverse proxy)\n"
            "  --trusted-proxy ADDR the reverse proxy's address; only its\n"
            "                       X-Forwarded-For is believed (default: none)\n"
            "  --votes-per-hour N   votes from one address per hour before further ones\n"
            "                       are flagged (default 30)\n"
            "  -h, --help           show this help\n"),
          f);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        abort();
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

/* Every kiosk (not a survey) with its newest public key. */
static int add_kiosks(registry *reg, const char *self, survey_config *cfg, mp_err *err)
{
    sqlite3 *db = registry_sqlite(reg);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT k.id, kk.public_key FROM kiosks k JOIN kiosk_keys kk "
                           "ON kk.kiosk_id = k.id WHERE k.survey_url <> ?1 AND k.id <> ?2 "
                           "AND kk.added_utc = (SELECT max(added_utc) FROM kiosk_keys "
                           "WHERE kiosk_id = k.id) GROUP BY k.id ORDER BY k.id",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, OFFICE_SURVEY_MARK, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, self, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *pk = (const char *)sqlite3_column_text(st, 1);
        survey_kiosk *k = realloc(cfg->kiosks, (cfg->n_kiosks + 1) * sizeof *k);
        if (!k)
            abort();
        cfg->kiosks = k;
        size_t got = 0;
        if (!id || !pk ||
            sodium_base642bin(k[cfg->n_kiosks].pk, SIGN_PK_BYTES, pk, strlen(pk), NULL, &got,
                              NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
            got != SIGN_PK_BYTES) {
            sqlite3_finalize(st);
            return mp_fail(err, "the stored public key of kiosk %s is damaged", id ? id : "?");
        }
        k[cfg->n_kiosks].id = dup_or_die(id);
        cfg->n_kiosks++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : mp_fail(err, "%s", sqlite3_errmsg(db));
}

/* Is id already a kiosk's (not a survey's)? */
static int is_kiosk(registry *reg, const char *id, int *yes, mp_err *err)
{
    sqlite3 *db = registry_sqlite(reg);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT survey_url FROM kiosks WHERE id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), OFFICE_SURVEY_MARK) != 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : mp_fail(err, "%s", sqlite3_errmsg(db));
}

int office_provision_survey(const office_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"survey", required_argument, NULL, OPT_SURVEY},
        {"unit", required_argument, NULL, OPT_UNIT},
        {"out", required_argument, NULL, OPT_OUT},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"trusted-proxy", required_argument, NULL, OPT_PROXY},
        {"votes-per-hour", required_argument, NULL, OPT_PER_HOUR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *id = NULL, *out = NULL, *listen = "127.0.0.1:8080", *proxy = "",
               *per_hour = NULL;
    char **units = calloc((size_t)argc + 1, sizeof *units);
    size_t n_units = 0;
    if (!units)
        abort();
    optind = 0;
    opterr = 0;
    int c, status = OFFICE_EXIT_FAIL;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_SURVEY: id = optarg; break;
        case OPT_UNIT: units[n_units++] = optarg; break;
        case OPT_OUT: out = optarg; break;
        case OPT_LISTEN: listen = optarg; break;
        case OPT_PROXY: proxy = optarg; break;
        case OPT_PER_HOUR: per_hour = optarg; break;
        case 'h':
            print_help(stdout);
            free(units);
            return OFFICE_EXIT_OK;
        default:
            free(units);
            return office_option_error(CMD, c, argv);
        }
    }
    if (optind < argc) {
        free(units);
        return office_usage(CMD, "unexpected argument \"%s\"", argv[optind]);
    }
    if (!id || !out || n_units == 0) {
        free(units);
        return office_usage(CMD, "--survey ID, at least one --unit CODE=NAME and --out DIR "
                                   "are required");
    }

    /* 1. The configuration, as text, read back. */
    char *ini_path = join(out, INI_FILE), *key_path = join(out, KEY_FILE);
    char *text = NULL;
    survey_config *check = NULL;
    registry *reg = NULL;
    sign_key key;
    memset(&key, 0, sizeof key);
    int key_written = 0, dir_existed = 0;
    mp_err err;
    survey_config cfg = {0};
    cfg.id = (char *)id;
    cfg.signing_key_path = KEY_FILE;
    cfg.db_path = "survey.db";
    cfg.listen = (char *)listen;
    cfg.trusted_proxy = (char *)proxy;
    cfg.votes_per_hour = 30;
    cfg.max_connections = 256;
    cfg.timeout_seconds = 15;
    cfg.requests_per_minute = 240;
    cfg.reasons = (char **)SURVEY_DEFAULT_REASONS;
    cfg.n_reasons = SURVEY_DEFAULT_REASON_COUNT;
    cfg.units = calloc(n_units, sizeof *cfg.units);
    if (!cfg.units)
        abort();
    if (config_check_kiosk_id(id, &err) < 0) {
        office_usage(CMD, "--survey: %s", err.msg);
        status = OFFICE_EXIT_USAGE;
        goto out;
    }
    if (survey_config_check_listen(listen, &err) < 0) {
        office_usage(CMD, "--listen: %s", err.msg);
        status = OFFICE_EXIT_USAGE;
        goto out;
    }
    if (per_hour) {
        char *end;
        long v = strtol(per_hour, &end, 10);
        if (!*per_hour || *end || v < 1 || v > 1000) {
            office_usage(CMD, "--votes-per-hour must be a whole number from 1 to 1000");
            status = OFFICE_EXIT_USAGE;
            goto out;
        }
        cfg.votes_per_hour = (int)v;
    }
    for (size_t i = 0; i < n_units; i++) {
        char *eq = strchr(units[i], '=');
        if (!eq) {
            office_usage(CMD, "--unit \"%s\" is not CODE=NAME", units[i]);
            status = OFFICE_EXIT_USAGE;
            goto out;
        }
        *eq = '\0';
        cfg.units[i].code = units[i];
        cfg.units[i].name = eq + 1;
        if (config_check_unit_code(units[i], &err) < 0 ||
            config_check_unit_name(eq + 1, &err) < 0) {
            office_usage(CMD, "--unit %s: %s", units[i], err.msg);
            status = OFFICE_EXIT_USAGE;
            goto out;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(cfg.units[k].code, units[i]) == 0) {
                office_usage(CMD, "--unit %s is given twice", units[i]);
                status = OFFICE_EXIT_USAGE;
                goto out;
            }
        cfg.n_units++;
    }
    struct stat sb;
    if (lstat(ini_path, &sb) == 0 || lstat(key_path, &sb) == 0) {
        office_fail("%s or %s already exists; not overwriting it (choose another --out)",
                    ini_path, key_path);
        goto out;
    }
    if (registry_open(ctx->db_path, &reg, &err) < 0) {
        office_fail("%s", err.msg);
        goto out;
    }
    int kiosk = 0;
    if (is_kiosk(reg, id, &kiosk, &err) < 0 || add_kiosks(reg, id, &cfg, &err) < 0) {
        office_fail("%s: %s", ctx->db_path, err.msg);
        goto out;
    }
    if (kiosk) {
        office_fail("%s is the id of a kiosk; give the survey an id of its own", id);
        goto out;
    }
    if (sign_keygen(&key, &err) < 0) {
        office_fail("%s", err.msg);
        goto out;
    }
    if (survey_config_format(&cfg, &text, &err) < 0) {
        office_fail("cannot write survey.ini: %s", err.msg);
        goto out;
    }
    if (survey_config_parse(text, strlen(text), ini_path, NULL, &check, &err) < 0) {
        office_fail("the survey.ini made would not be valid: %s", err.msg);
        goto out;
    }

    /* 2. The files: the key first, so survey.ini never names a missing key. */
    dir_existed = stat(out, &sb) == 0;
    if (fs_mkdir_p(out, &err) < 0) {
        office_fail("%s", err.msg);
        goto out;
    }
    if (sign_key_save(key_path, &key, &err) < 0) {
        office_fail("%s", err.msg);
        goto undo;
    }
    key_written = 1;
    if (fs_write_new(ini_path, text, strlen(text), 0600, &err) < 0) {
        office_fail("%s; survey.key is removed again", err.msg);
        goto undo;
    }

    /* 3. The record, in one transaction. */
    kiosk_config as_source = {.id = (char *)id, .survey_url = OFFICE_SURVEY_MARK,
                              .n_units = cfg.n_units, .units = cfg.units};
    if (office_record_kiosk(registry_sqlite(reg), &as_source, key.pk, clock_utc_now(), &err) < 0) {
        office_fail("%s: %s; survey.ini and survey.key are removed again", ctx->db_path,
                    err.msg);
        (void)unlink(ini_path);
        goto undo;
    }
    printf(P_("Provisioned online survey %s with %zu unit.\n",
              "Provisioned online survey %s with %zu units.\n", (unsigned long)cfg.n_units),
           id, cfg.n_units);
    printf(P_("  it accepts follow-ups of the votes of %zu kiosk (listed in [kiosks]).\n",
              "  it accepts follow-ups of the votes of %zu kiosks (listed in [kiosks]).\n",
              (unsigned long)cfg.n_kiosks),
           cfg.n_kiosks);
    printf(_("  wrote    %s (mode 0600; copy it to the portal's server)\n"), ini_path);
    printf(_("  wrote    %s (mode 0600; the survey's secret signing key: copy it beside\n"
             "           survey.ini and keep it private)\n"),
           key_path);
    printf(_("  recorded in %s, with the survey's public key %s\n"), ctx->db_path, key.id);
    printf(_("Next: on the server, run minping-survey --config %s\n"), ini_path);
    status = OFFICE_EXIT_OK;
    goto out;
undo:
    if (key_written)
        (void)unlink(key_path);
    if (!dir_existed)
        (void)rmdir(out);
out:
    sign_key_wipe(&key);
    registry_close(reg);
    survey_config_free(check);
    for (size_t i = 0; i < cfg.n_kiosks; i++)
        free(cfg.kiosks[i].id);
    free(cfg.kiosks);
    free(cfg.units);
    free(units);
    if (text) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
    free(ini_path);
    free(key_path);
    return status;
}
