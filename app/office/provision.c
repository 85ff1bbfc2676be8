/* provision.c - `minping-office provision`: makes a new kiosk's signing key
 * pair, writes its kiosk.key (the secret key) and kiosk.ini, and records the
 * kiosk, its units and its public key in the office database.
 *
 * The order of the work is chosen so that a failure leaves nothing half-done:
 *
 *   1. read and check every argument, then read and hash the PIN, and make
 *      the key pair; nothing is on disk yet, and the clear PIN is wiped from
 *      memory once hashed;
 *   2. format kiosk.ini (with `signing_key = kiosk.key`) and parse the text
 *      back as a self-check;
 *   3. with --force, read the kiosk.key and kiosk.ini being replaced (kept in
 *      memory to put back); open the office database (creating and
 *      migrating it if new), so that a database we cannot use fails the
 *      command before any file is written (a database created here stays,
 *      empty: it records no kiosk);
 *   4. write DIR/kiosk.key, then DIR/kiosk.ini, both mode 0600: exclusive
 *      create, or with --force an atomic replace;
 *   5. record the kiosk, its units and its public key in ONE database
 *      transaction (registry_provision), so the office never knows a kiosk
 *      without its key or a key without its kiosk.
 *
 * The files are written before the database changes because a written file
 * can be taken back (removed, or its old text put back) while a committed
 * transaction cannot.  If step 4 or 5 fails, what step 4 wrote is undone in
 * reverse order, and the folder DIR is removed again if this command created
 * it and it is empty.  The secret key goes to kiosk.key only: never to the
 * office database, never to the output.  Provisioning a kiosk again gives it
 * a new key; the office keeps the old ones, so earlier exports still verify.
 */
#include "office.h"
#include "i18n.h"

#include "clock.h"
#include "config.h"
#include "fsutil.h"
#include "keyring.h"
#include "pin.h"
#include "registry.h"
#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define CMD "provision"
#define KEY_FILE "kiosk.key" /* beside kiosk.ini; kiosk.ini names it relatively */

/* The numeric settings that can be overridden, by option name. */
static const struct number_opt {
    const char *option; /* without the leading "--" */
    const char *key;    /* the kiosk.ini key */
    const char *what;
} NUMBERS[] = {
    {"thanks-seconds", "thanks_seconds", N_("how long the thank-you screen stays")},
    {"cooldown-seconds", "cooldown_seconds", N_("taps are ignored this long after a vote")},
    {"idle-seconds", "idle_seconds", N_("back to the first screen when untouched this long")},
    {"burst-votes", "burst_votes", N_("votes allowed within --burst-seconds; more are flagged")},
    {"burst-seconds", "burst_seconds", N_("the window of that rule, in seconds")},
};
enum { N_NUMBERS = sizeof NUMBERS / sizeof NUMBERS[0] };

enum {
    OPT_KIOSK = 256,
    OPT_UNIT,
    OPT_URL,
    OPT_PIN,
    OPT_OUT,
    OPT_FORCE,
    OPT_EXPORT_DIR,
    OPT_RENDERER,
    OPT_OPEN_HOURS,
    OPT_OPEN_DAYS,
    OPT_NUMBER, /* OPT_NUMBER + i for NUMBERS[i] */
};

/* The command line as given, before any check of the values. */
typedef struct prov_args {
    const char *kiosk, *survey_url, *pin, *out_dir, *export_dir, *renderer;
    const char *open_hours, *open_days; /* NULL: always open */
    char **units; /* CODE=NAME words, in order */
    size_t n_units;
    const char *numbers[N_NUMBERS]; /* NULL: the default */
    int force;
} prov_args;

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] provision --kiosk ID --unit CODE=NAME\n"
          "         [--unit CODE=NAME ...] --survey-url URL --pin PIN|- --out DIR [OPTIONS]\n"
          "\n"
          "Makes a new signing key for a kiosk, writes DIR/kiosk.key (the kiosk's secret\n"
          "key, mode 0600) and DIR/kiosk.ini (which names it), and records the kiosk,\n"
          "its units and its public key in the office database.  Copy kiosk.ini and\n"
          "kiosk.key to the kiosk, keeping kiosk.key private; the kiosk keeps its votes\n"
          "in kiosk.db beside them and signs its exports with kiosk.key.  Provisioning\n"
          "an existing kiosk again (with --force if its files are in DIR) replaces its\n"
          "settings and its list of units and gives it a new key; the office keeps its\n"
          "old public keys, so exports signed before still import.\n"
          "\n"
          "Required:\n"
          "  --kiosk ID          the kiosk's name: 1 to 64 letters, digits, '-' or '_'\n"
          "  --unit CODE=NAME    a unit the kiosk serves; repeat it for each unit, in the\n"
          "                      order the screen shows them.  CODE: 1 to 32 letters,\n"
          "                      digits, '-' or '_'; NAME: 1 to 24 characters, e.g.\n"
          "                      --unit GA01=县公安局.  A code already registered in the\n"
          "                      office database must keep its registered name.\n"
          "  --survey-url URL    the online survey (http:// or https://) shown as a QR\n"
          "                      code; {kiosk} and {unit} in it are replaced by the kiosk\n"
          "                      id and the code of the unit being rated, and {token}\n"
          "                      by a token signed with the kiosk's key that names the\n"
          "                      vote just cast, so the survey can attach the citizen's\n"
          "                      reasons to it (minping-survey checks it)\n"
          "  --pin PIN           the staff PIN: 4 to 12 digits.  Give --pin - to read it\n"
          "                      from standard input (one line, not echoed on a terminal),\n"
          "                      so that it does not show in the process list.  Only its\n"
          "                      hash (Argon2id) is written, never the PIN itself.\n"
          "  --out DIR           the folder to write kiosk.ini and kiosk.key into\n"
          "                      (created if missing)\n"
          "\n"
          "Optional:\n"
          "  --force             replace DIR/kiosk.ini and DIR/kiosk.key if they exist\n"
          "                      (refused otherwise)\n"
          "  --export-dir DIR    on the kiosk, the folder exports go to when no USB stick\n"
          "                      is used (relative: from kiosk.ini's folder)\n"
          "  --renderer software|gpu\n"
          "                      how the kiosk draws: software (the default: SDL's\n"
          "                      software renderer, least memory, no GPU driver needed)\n"
          "                      or gpu (the board's OpenGL/GLES driver)\n"
          "  --open-hours HH:MM-HH:MM\n"
          "                      the kiosk's open hours, local time, e.g. 08:00-17:30\n"
          "                      (24-hour clock; 22:00-06:00 runs past midnight).\n"
          "                      Outside them the screen goes dark once nobody uses it,\n"
          "                      and a touch wakes it (votes then still count).\n"
          "                      Default: open all day\n"
          "  --open-days DAYS    the weekdays it is open, 1 = Monday ... 7 = Sunday, e.g.\n"
          "                      1-5 or 1-5,7; the hours apply on those days and it\n"
          "                      sleeps all day on the others.  Default: every day\n"),
          f);
    for (int i = 0; i < N_NUMBERS; i++) {
        int min = 0, max = 0, def = 0;
        if (config_number_info(NUMBERS[i].key, &min, &max, &def, NULL) < 0)
            continue;
        char opt[40];
        snprintf(opt, sizeof opt, "--%s N", NUMBERS[i].option);
        if (strlen(opt) > 19) /* too wide for the column: a line of its own */
            fprintf(f, "  %s\n  %-19s %s\n", opt, "", _(NUMBERS[i].what));
        else
            fprintf(f, "  %-19s %s\n", opt, _(NUMBERS[i].what));
        fprintf(f, _("  %-19s (%d to %d, default %d)\n"), "", min, max, def);
    }
    fprintf(f, _("                      --cooldown-seconds must be less than --thanks-seconds.\n"
          "  -h, --help          show this help\n"
          "\n"
          "The office database is --db FILE (given before 'provision'), else the file\n"
          "named by $%s, else %s in the current\n"
          "folder; it is created if missing, and the output says so.\n"
          "\n"
          "Exit status: 0 done; 1 an error (nothing is written); 2 a mistake in the\n"
          "command line (a missing option or a malformed value).\n"),
          OFFICE_DB_ENV, OFFICE_DEFAULT_DB);
}

/* Reads the command line into *a; returns -1 after printing a usage error
 * (*status set), 1 after printing the help, 0 to go on. */
static int parse_args(int argc, char **argv, prov_args *a, int *status)
{
    enum { N_FIXED = 11 };
    struct option opts[N_FIXED + N_NUMBERS + 1];
    static const struct option fixed[] = {
        {"kiosk", required_argument, NULL, OPT_KIOSK},
        {"unit", required_argument, NULL, OPT_UNIT},
        {"survey-url", required_argument, NULL, OPT_URL},
        {"pin", required_argument, NULL, OPT_PIN},
        {"out", required_argument, NULL, OPT_OUT},
        {"force", no_argument, NULL, OPT_FORCE},
        {"export-dir", required_argument, NULL, OPT_EXPORT_DIR},
        {"renderer", required_argument, NULL, OPT_RENDERER},
        {"open-hours", required_argument, NULL, OPT_OPEN_HOURS},
        {"open-days", required_argument, NULL, OPT_OPEN_DAYS},
        {"help", no_argument, NULL, 'h'},
    };
    _Static_assert(sizeof fixed / sizeof fixed[0] == N_FIXED, "opts has room for the fixed options");
    memcpy(opts, fixed, sizeof fixed);
    for (int i = 0; i < N_NUMBERS; i++)
        opts[N_FIXED + i] =
            (struct option){NUMBERS[i].option, required_argument, NULL, OPT_NUMBER + i};
    opts[N_FIXED + N_NUMBERS] = (struct option){NULL, 0, NULL, 0};

    optind = 0; /* glibc: start a fresh scan of a new argument vector */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_KIOSK: a->kiosk = optarg; break;
        case OPT_URL: a->survey_url = optarg; break;
        case OPT_PIN: a->pin = optarg; break;
        case OPT_OUT: a->out_dir = optarg; break;
        case OPT_FORCE: a->force = 1; break;
        case OPT_EXPORT_DIR: a->export_dir = optarg; break;
        case OPT_RENDERER: a->renderer = optarg; break;
        case OPT_OPEN_HOURS: a->open_hours = optarg; break;
        case OPT_OPEN_DAYS: a->open_days = optarg; break;
        case OPT_UNIT:
            /* At most argc units: the array is sized once. */
            if (!a->units) {
                a->units = calloc((size_t)argc, sizeof *a->units);
                if (!a->units) {
                    *status = office_fail("out of memory");
                    return -1;
                }
            }
            a->units[a->n_units++] = optarg;
            break;
        case 'h':
            print_help(stdout);
            return 1;
        case '?':
        case ':':
            *status = office_option_error(CMD, c, argv);
            return -1;
        default:
            if (c >= OPT_NUMBER && c < OPT_NUMBER + N_NUMBERS) {
                a->numbers[c - OPT_NUMBER] = optarg;
                break;
            }
            *status = office_usage(CMD, "unexpected option");
            return -1;
        }
    }
    if (optind < argc) {
        *status = office_usage(CMD, "unexpected argument \"%s\"", argv[optind]);
        return -1;
    }
    const char *missing = !a->kiosk        ? "--kiosk"
                          : a->n_units == 0 ? "--unit"
                          : !a->survey_url  ? "--survey-url"
                          : !a->pin         ? "--pin"
                          : !a->out_dir     ? "--out"
                                            : NULL;
    if (missing) {
        *status = office_usage(CMD, "%s is missing", missing);
        return -1;
    }
    return 0;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        fputs(_("minping-office: out of memory\n"), stderr);
        exit(OFFICE_EXIT_FAIL);
    }
    return d;
}

/* Checks every value and builds the configuration to write (without its PIN
 * hash).  On failure prints the error, sets *status (OFFICE_EXIT_USAGE for a
 * bad value on the command line) and returns NULL. */
static kiosk_config *build_config(const prov_args *a, const char *ini_path, int *status)
{
    mp_err err;
    if (config_check_kiosk_id(a->kiosk, &err) < 0) {
        *status = office_usage(CMD, "--kiosk: %s", err.msg);
        return NULL;
    }
    if (config_check_survey_url(a->survey_url, &err) < 0) {
        *status = office_usage(CMD, "--survey-url: %s", err.msg);
        return NULL;
    }
    if (!*a->out_dir) {
        *status = office_usage(CMD, "--out: the folder name is empty");
        return NULL;
    }
    if (a->export_dir && !*a->export_dir) {
        *status = office_usage(CMD, "--export-dir: the folder name is empty");
        return NULL;
    }
    if (a->renderer && config_renderer_by_name(a->renderer) < 0) {
        *status = office_usage(CMD, "--renderer: \"%s\" is neither software nor gpu", a->renderer);
        return NULL;
    }
    if (a->n_units > CONFIG_UNITS_MAX) {
        *status = office_usage(CMD, "--unit: %zu units given, at most %d are allowed", a->n_units,
                    CONFIG_UNITS_MAX);
        return NULL;
    }

    kiosk_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg || !(cfg->units = calloc(a->n_units, sizeof *cfg->units))) {
        free(cfg);
        *status = office_fail("out of memory");
        return NULL;
    }
    cfg->path = xstrdup(ini_path);
    cfg->id = xstrdup(a->kiosk);
    cfg->survey_url = xstrdup(a->survey_url);
    cfg->db_path = xstrdup("kiosk.db");
    cfg->export_dir = a->export_dir ? xstrdup(a->export_dir) : NULL;
    cfg->signing_key_path = xstrdup(KEY_FILE);
    config_set_defaults(cfg);
    if (a->renderer)
        cfg->renderer = config_renderer_by_name(a->renderer);
    if (a->open_hours && config_set_hours(cfg, a->open_hours, &err) < 0) {
        *status = office_usage(CMD, "--open-hours: %s", err.msg);
        goto fail;
    }
    if (a->open_days && config_set_days(cfg, a->open_days, &err) < 0) {
        *status = office_usage(CMD, "--open-days: %s", err.msg);
        goto fail;
    }

    for (size_t i = 0; i < a->n_units; i++) {
        const char *spec = a->units[i];
        const char *eq = strchr(spec, '=');
        if (!eq) {
            *status = office_usage(CMD, "--unit \"%s\": expected CODE=NAME, e.g. GA01=县公安局", spec);
            goto fail;
        }
        config_unit *u = &cfg->units[cfg->n_units];
        u->code = strndup(spec, (size_t)(eq - spec));
        u->name = xstrdup(eq + 1);
        if (!u->code) {
            free(u->name);
            *status = office_fail("out of memory");
            goto fail;
        }
        cfg->n_units++;
        if (config_check_unit_code(u->code, &err) < 0 ||
            config_check_unit_name(u->name, &err) < 0 ||
            config_check_not_formula(u->code, &err) < 0 ||
            config_check_not_formula(u->name, &err) < 0) {
            *status = office_usage(CMD, "--unit \"%s\": %s", spec, err.msg);
            goto fail;
        }
        for (size_t j = 0; j + 1 < cfg->n_units; j++)
            if (strcmp(cfg->units[j].code, u->code) == 0) {
                *status = office_usage(CMD, "--unit: unit code %s is given twice", u->code);
                goto fail;
            }
    }

    for (int i = 0; i < N_NUMBERS; i++) {
        const char *v = a->numbers[i];
        if (!v)
            continue;
        char *end;
        errno = 0;
        long x = strtol(v, &end, 10);
        if (errno || end == v || *end != '\0') {
            *status = office_usage(CMD, "--%s: \"%s\" is not a whole number", NUMBERS[i].option, v);
            goto fail;
        }
        if (config_set_number(cfg, NUMBERS[i].key, x, &err) < 0) {
            *status = office_usage(CMD, "--%s: %s", NUMBERS[i].option, err.msg);
            goto fail;
        }
    }
    if (cfg->cooldown_seconds >= cfg->thanks_seconds) {
        *status = office_usage(CMD, "--cooldown-seconds (%d) must be less than --thanks-seconds (%d)",
                    cfg->cooldown_seconds, cfg->thanks_seconds);
        goto fail;
    }
    return cfg;
fail:
    config_free(cfg);
    return NULL;
}

/* Reads one line from standard input into pin (size len) with read(2), so no
 * stdio buffer keeps a copy; echo is off while a terminal is read. */
static int read_pin_stdin(char *pin, size_t len, mp_err *err)
{
    int tty = isatty(STDIN_FILENO);
    struct termios saved, quiet;
    if (tty) {
        if (tcgetattr(STDIN_FILENO, &saved) < 0)
            return mp_fail(err, "cannot read the terminal's settings: %s", strerror(errno));
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
            return mp_fail(err, "cannot turn off the terminal's echo: %s", strerror(errno));
        fputs(_("PIN (not shown): "), stderr);
    }
    size_t n = 0;
    int rc = 0, ended = 0;
    while (!ended) {
        char ch;
        ssize_t got = read(STDIN_FILENO, &ch, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = mp_fail(err, "cannot read the PIN from standard input: %s", strerror(errno));
            break;
        }
        if (got == 0 || ch == '\n') {
            ended = 1;
        } else if (n + 1 < len) {
            pin[n++] = ch;
        } else {
            rc = mp_fail(err, "the PIN on standard input is too long (at most %d digits)",
                         PIN_MAX_DIGITS);
            break;
        }
    }
    pin[n] = '\0';
    if (n > 0 && pin[n - 1] == '\r')
        pin[--n] = '\0';
    if (tty) {
        fputc('\n', stderr);
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) < 0 && rc == 0)
            rc = mp_fail(err, "cannot restore the terminal's echo: %s", strerror(errno));
    }
    if (rc == 0 && n == 0)
        rc = mp_fail(err, "no PIN on standard input");
    if (rc < 0)
        sodium_memzero(pin, len);
    return rc;
}

/* Gets the PIN (from the argument or standard input), checks it and stores
 * its hash in hash.  The clear PIN is wiped from memory, the argument too. */
static int hash_pin(char *pin_arg, char hash[PIN_HASH_MAX], mp_err *err)
{
    char pin[PIN_MAX_DIGITS + 8];
    int rc = 0;
    if (strcmp(pin_arg, "-") == 0) {
        if (read_pin_stdin(pin, sizeof pin, err) < 0)
            return -1;
    } else {
        size_t n = strlen(pin_arg);
        if (n >= sizeof pin) {
            rc = pin_check_format(pin_arg, err); /* too long: say so */
        } else {
            memcpy(pin, pin_arg, n + 1);
        }
        /* Hide it from the process list from now on. */
        sodium_memzero(pin_arg, n);
        if (rc < 0)
            return -1;
    }
    rc = pin_hash(pin, hash, err); /* checks the format first */
    sodium_memzero(pin, sizeof pin);
    return rc;
}

/* The old kiosk.ini or kiosk.key (`what`), read before --force replaces it so
 * a failure can put it back.  *had is 0 when there is none. */
static int read_old(const char *path, const char *what, char **text, size_t *len, int *had,
                    mp_err *err)
{
    *had = 0;
    struct stat sb;
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
        return mp_fail(err, "%s is a symbolic link; not replacing it", path);
    mp_err why; /* fs_read_file refuses a link made meanwhile too */
    int rc = fs_read_file(path, (size_t)1 << 20, FS_READ_MISSING_OK, text, len, &why);
    if (rc < 0)
        return mp_fail(err, "%s is not a %s file; not replacing it (%s)", path, what, why.msg);
    *had = rc;
    return 0;
}

/* "dir/name", without doubling a slash dir ends with. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    const char *sep = n > 0 && dir[n - 1] == '/' ? "" : "/";
    size_t total = n + 1 + strlen(name) + 1;
    char *p = malloc(total);
    if (!p) {
        fputs(_("minping-office: out of memory\n"), stderr);
        exit(OFFICE_EXIT_FAIL);
    }
    snprintf(p, total, "%.*s%s%s", (int)n, dir, sep, name);
    return p;
}

/* Does the self-check parse give back what was meant to be written? */
static int same_config(const kiosk_config *a, const kiosk_config *b)
{
    if (strcmp(a->id, b->id) != 0 || strcmp(a->survey_url, b->survey_url) != 0 ||
        strcmp(a->pin_hash, b->pin_hash) != 0 || strcmp(a->db_path, b->db_path) != 0 ||
        (!a->export_dir != !b->export_dir) ||
        (a->export_dir && strcmp(a->export_dir, b->export_dir) != 0) ||
        (!a->signing_key_path != !b->signing_key_path) ||
        (a->signing_key_path && strcmp(a->signing_key_path, b->signing_key_path) != 0) ||
        a->thanks_seconds != b->thanks_seconds || a->cooldown_seconds != b->cooldown_seconds ||
        a->idle_seconds != b->idle_seconds || a->burst_votes != b->burst_votes ||
        a->burst_seconds != b->burst_seconds || a->renderer != b->renderer ||
        a->n_units != b->n_units)
        return 0;
    for (size_t i = 0; i < a->n_units; i++)
        if (strcmp(a->units[i].code, b->units[i].code) != 0 ||
            strcmp(a->units[i].name, b->units[i].name) != 0)
            return 0;
    return 1;
}

/* Frees text after wiping it (it may be a secret key). */
static void wipe_free(char *text, size_t len)
{
    if (text) {
        sodium_memzero(text, len);
        free(text);
    }
}

/* Puts back the file at path as it was before this command: its old text,
 * or no file at all.  Reports a failure (and returns -1). */
static int put_back(const char *path, const char *what, int had_old, const char *old,
                    size_t old_len)
{
    mp_err err;
    if (had_old) {
        if (fs_write_atomic(path, old, old_len, 0600, &err) < 0) {
            office_fail("could not put the previous %s back: %s", what, err.msg);
            return -1;
        }
    } else if (unlink(path) < 0) {
        office_fail("could not remove %s again: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int office_provision(const office_ctx *ctx, int argc, char **argv)
{
    prov_args a = {0};
    int status = OFFICE_EXIT_FAIL;
    int db_created = 0;
    int got = parse_args(argc, argv, &a, &status);
    if (got != 0) {
        free(a.units);
        return got > 0 ? OFFICE_EXIT_OK : status;
    }

    mp_err err;
    char *ini_path = join(a.out_dir, "kiosk.ini");
    char *key_path = join(a.out_dir, KEY_FILE);
    kiosk_config *cfg = NULL, *check = NULL;
    registry *reg = NULL;
    char *text = NULL, *old = NULL, *old_key = NULL;
    size_t old_len = 0, old_key_len = 0;
    int had_old = 0, had_old_key = 0, written = 0, key_written = 0, dir_existed = 0;
    char hash[PIN_HASH_MAX];
    sign_key key;
    memset(&key, 0, sizeof key);

    /* 1. Arguments, PIN and key pair; nothing touches the disk before step 3. */
    if (!(cfg = build_config(&a, ini_path, &status)))
        goto out;
    struct stat sb;
    if (!a.force && lstat(ini_path, &sb) == 0) {
        office_fail("%s already exists; not overwriting it (use --force to replace it)",
                    ini_path);
        goto out;
    }
    if (!a.force && lstat(key_path, &sb) == 0) {
        office_fail("%s already exists; not overwriting it (use --force to replace it)",
                    key_path);
        goto out;
    }
    if (strcmp(a.pin, "-") != 0 && pin_check_format(a.pin, &err) < 0) {
        status = office_usage(CMD, "--pin: %s", err.msg);
        goto out;
    }
    if (hash_pin((char *)a.pin, hash, &err) < 0) {
        office_fail("--pin: %s", err.msg);
        goto out;
    }
    cfg->pin_hash = xstrdup(hash);
    sodium_memzero(hash, sizeof hash);
    if (sign_keygen(&key, &err) < 0) {
        office_fail("%s", err.msg);
        goto out;
    }

    /* 2. Format, and read the text back exactly as the kiosk will. */
    if (config_format(cfg, &text, &err) < 0) {
        /* Only a value given on the command line can make this fail. */
        status = office_usage(CMD, "a value cannot be written to kiosk.ini: %s", err.msg);
        goto out;
    }
    if (config_parse(text, strlen(text), ini_path, NULL, &check, &err) < 0) {
        office_fail("the kiosk.ini made would not be valid: %s", err.msg);
        goto out;
    }
    if (!same_config(cfg, check)) {
        office_fail("the kiosk.ini made does not read back as written; not writing it");
        goto out;
    }

    /* 3. What --force would replace, and the database. */
    if (a.force && (read_old(ini_path, "kiosk.ini", &old, &old_len, &had_old, &err) < 0 ||
                    read_old(key_path, KEY_FILE, &old_key, &old_key_len, &had_old_key,
                             &err) < 0)) {
        office_fail("%s", err.msg);
        goto out;
    }
    if (office_open_db(ctx, 0, &reg, &db_created, &err) < 0) {
        office_fail("%s", err.msg);
        goto out;
    }

    /* 4. The files: the key first, so a kiosk.ini never names a missing key. */
    dir_existed = stat(a.out_dir, &sb) == 0;
    if (fs_mkdir_p(a.out_dir, &err) < 0) {
        office_fail("%s", err.msg);
        goto out;
    }
    int wrc = a.force ? sign_key_replace(key_path, &key, &err)
                      : sign_key_save(key_path, &key, &err);
    if (wrc < 0) {
        office_fail("%s", err.msg);
        goto undo;
    }
    key_written = 1;
    wrc = a.force ? fs_write_atomic(ini_path, text, strlen(text), 0600, &err)
                  : fs_write_new(ini_path, text, strlen(text), 0600, &err);
    if (wrc < 0) {
        office_fail("%s; %s", err.msg,
                    had_old_key ? _("the previous kiosk.key is put back") : _("kiosk.key is removed again"));
        goto undo;
    }
    written = 1;

    /* 5. The record: kiosk, units and public key in one transaction. */
    if (office_record_kiosk(registry_sqlite(reg), cfg, key.pk, clock_utc_now(), &err) < 0) {
        office_fail("%s: %s; %s and %s", ctx->db_path, err.msg,
                    had_old ? _("the previous kiosk.ini is put back")
                            : _("kiosk.ini is removed again"),
                    had_old_key ? _("the previous kiosk.key is put back")
                                : _("kiosk.key is removed again"));
        goto undo;
    }

    printf(P_("Provisioned kiosk %s with %zu unit.\n", "Provisioned kiosk %s with %zu units.\n",
              (unsigned long)cfg->n_units),
           cfg->id, cfg->n_units);
    printf(_("  wrote    %s (mode 0600; copy it to the kiosk)\n"), ini_path);
    printf(_("  wrote    %s (mode 0600; the kiosk's secret signing key: copy it to the kiosk\n"
             "           beside kiosk.ini and keep it private)\n"),
           key_path);
    if (db_created)
        printf(_("  created  the office database %s and recorded the kiosk there, with its\n"
                 "           public key %s\n"),
               ctx->db_path, key.id);
    else
        printf(_("  recorded in %s, with the kiosk's public key %s\n"), ctx->db_path, key.id);
    status = OFFICE_EXIT_OK;
    goto out;

undo:
    if (written)
        (void)put_back(ini_path, "kiosk.ini", had_old, old, old_len);
    if (key_written)
        (void)put_back(key_path, KEY_FILE, had_old_key, old_key, old_key_len);
    if (!dir_existed)
        (void)rmdir(a.out_dir); /* succeeds only while empty, which is what we want */
out:
    sign_key_wipe(&key);
    registry_close(reg);
    config_free(check);
    config_free(cfg);
    if (text)
        wipe_free(text, strlen(text));
    free(old);
    wipe_free(old_key, old_key_len);
    free(ini_path);
    free(key_path);
    free(a.units);
    return status;
}
