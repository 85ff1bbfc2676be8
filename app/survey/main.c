/* main.c - minping-survey, the online survey server: reads survey.ini, opens
 * the vote store and the signing key, serves until SIGTERM or SIGINT; and
 * `minping-survey export`, the signed export the office imports. */
#include "clock.h"
#include "config.h"
#include "export.h"
#include "i18n.h"
#include "log.h"
#include "server.h"
#include "sign.h"
#include "store.h"
#include "survey_config.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MINPING_VERSION
#define MINPING_VERSION "0"
#endif

enum { EXIT_USAGE = 2, STOP_WAIT_S = 20 };

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-survey --config FILE [--listen ADDR:PORT]\n"
            "       minping-survey export --config FILE [--db FILE] --out DIR\n"
            "\n"
            "The online survey of Minping (民评): citizens rate a unit from their phone.\n"
            "Serves the pages on the address of survey.ini's [survey] listen (or\n"
            "--listen; port 0 picks a free port) and says on standard error\n"
            "\"minping-survey: listening on http://ADDR:PORT/\" once it accepts\n"
            "connections.  SIGTERM or SIGINT: stop accepting, finish the requests in\n"
            "progress, exit 0.\n"
            "\n"
            "  --config FILE    the survey.ini written by minping-office provision-survey\n"
            "  --listen ADDR:PORT  serve there instead (e.g. 127.0.0.1:0)\n"
            "  -h, --help       show this help\n"
            "  --version        show the version\n"
            "\n"
            "export: writes every online vote, signed with the survey's key, to a new\n"
            "file in DIR, and prints its path last; take it to the office and run\n"
            "minping-office import FILE.  With --db FILE it reads a damaged database\n"
            "the server set aside (survey.db.damaged-*) instead: what can be read is\n"
            "exported, the file is never written.\n"
            "\n"
            "A damaged database found at start is set aside under that name and a new\n"
            "one started, so the survey stays open; the log says where it went.\n"
            "\n"
            "Exit status: 0 done; 1 an error (said on standard error); 2 a mistake in\n"
            "the command line.\n"),
          f);
}

static int usage(const char *msg)
{
    fprintf(stderr, _("minping-survey: %s (see minping-survey --help)\n"), msg);
    return EXIT_USAGE;
}

static int fail(const char *what, const char *why)
{
    fprintf(stderr, "minping-survey: %s: %s\n", what, why);
    return EXIT_FAILURE;
}

/* Loads the configuration and the signing key. */
static int load(const char *path, survey_config **cfg, sign_key *key)
{
    mp_err err;
    if (survey_config_load(path, cfg, &err) < 0)
        return fail(_("cannot use the configuration"), err.msg);
    if (sign_key_load((*cfg)->signing_key_path, key, &err) < 0) {
        fail(_("cannot use the signing key (provision the survey again with minping-office "
               "provision-survey)"),
             err.msg);
        survey_config_free(*cfg);
        return EXIT_FAILURE;
    }
    return 0;
}

static int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *out = NULL, *old_db = NULL;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'c')
            config = optarg;
        else if (c == 'o')
            out = optarg;
        else if (c == 'd')
            old_db = optarg;
        else if (c == 'h') {
            print_help(stdout);
            return 0;
        } else
            return usage(_("export: unknown option or missing value"));
    }
    if (!config || !out || optind < argc)
        return usage(_("export needs --config FILE and --out DIR"));
    survey_config *cfg;
    sign_key key;
    if (load(config, &cfg, &key) != 0)
        return EXIT_FAILURE;
    mp_err err;
    store *s = NULL;
    int rc = EXIT_FAILURE;
    if (old_db) {
        /* A damaged database set aside: read what can be read, never write. */
        store_salvage_info info;
        if (store_open_salvage(old_db, &s, &info, &err) < 0) {
            fail(_("cannot read the damaged database"), err.msg);
            goto done;
        }
        fprintf(stderr,
                P_("minping-survey: %s: read %lld vote of database %s (seq %lld to %lld, "
                   "%lld missing between them)\n",
                   "minping-survey: %s: read %lld votes of database %s (seq %lld to %lld, "
                   "%lld missing between them)\n",
                   (unsigned long)info.rows),
                old_db, (long long)info.rows, info.instance, (long long)info.first_seq,
                (long long)info.last_seq, (long long)info.missing);
    } else if (store_open(cfg->db_path, &s, &err) < 0) {
        fail(_("cannot open the vote database"), err.msg);
        goto done;
    }
    kiosk_config as_source = {.id = cfg->id};
    char *path = NULL;
    int64_t rows = 0, followups = 0;
    if (export_write_v2(s, &as_source, &key, out, clock_utc_now(), &followups, &path, &rows,
                        &err) < 0) {
        fail(_("export failed"), err.msg);
        goto done;
    }
    printf(P_("%lld vote exported", "%lld votes exported", (unsigned long)rows), (long long)rows);
    printf(P_(", with %lld follow-up\n", ", with %lld follow-ups\n", (unsigned long)followups),
           (long long)followups);
    printf("%s\n", path);
    free(path);
    rc = 0;
done:
    store_close(s);
    sign_key_wipe(&key);
    survey_config_free(cfg);
    return rc;
}

int main(int argc, char **argv)
{
    log_set_program("minping-survey");
    if (argc > 1 && strcmp(argv[1], "export") == 0)
        return cmd_export(argc - 1, argv + 1);
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *listen = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'l': listen = optarg; break;
        case 'h': print_help(stdout); return 0;
        case 'V': printf("minping-survey %s\n", MINPING_VERSION); return 0;
        default: return usage(_("unknown option or missing value"));
        }
    }
    if (!config || optind < argc)
        return usage(_("--config FILE is required"));
    if (sodium_init() < 0)
        return fail(_("cannot start"), _("libsodium failed to initialise"));

    survey_config *cfg;
    sign_key key;
    if (load(config, &cfg, &key) != 0)
        return EXIT_FAILURE;
    /* The key's secret half keys the form tokens and the hashes kept instead
     * of cookies and addresses (derived, never used as is). */
    server_secrets secrets;
    static const char TOKEN_CTX[] = "minping-survey form tokens v1";
    static const char SALT_CTX[] = "minping-survey stuffing hashes v1";
    crypto_generichash(secrets.token_key, sizeof secrets.token_key,
                       (const unsigned char *)TOKEN_CTX, sizeof TOKEN_CTX - 1, key.sk,
                       sizeof key.sk);
    crypto_generichash(secrets.salt, sizeof secrets.salt, (const unsigned char *)SALT_CTX,
                       sizeof SALT_CTX - 1, key.sk, sizeof key.sk);
    sign_key_wipe(&key);

    mp_err err;
    if (!listen)
        listen = cfg->listen;
    if (survey_config_check_listen(listen, &err) < 0) {
        survey_config_free(cfg);
        return usage(err.msg);
    }
    store *s;
    mp_err damage, warning;
    char moved[4096];
    if (store_open_replacing(cfg->db_path, clock_utc_now(), &s, moved, sizeof moved, &damage,
                             &warning, &err) < 0) {
        fail(_("cannot open the vote database"), err.msg);
        survey_config_free(cfg);
        return EXIT_FAILURE;
    }
    if (moved[0]) {
        log_error("%s", damage.msg);
        log_error("damaged database %s set aside as %s; a new database is started; export "
                  "its readable votes with: minping-survey export --config FILE --db %s --out "
                  "DIR",
                  cfg->db_path, moved, moved);
        if (warning.msg[0])
            log_error("%s", warning.msg);
    }

    /* SIGTERM and SIGINT are taken by sigwait below, in this thread alone:
     * every thread started from here on has them blocked. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    server *sv;
    int port;
    if (server_start(cfg, listen, s, &secrets, &sv, &port, &err) < 0) {
        fail(_("cannot start serving"), err.msg);
        store_close(s);
        survey_config_free(cfg);
        return EXIT_FAILURE;
    }
    sodium_memzero(&secrets, sizeof secrets);
    const char *colon = strrchr(listen, ':');
    fprintf(stderr, "minping-survey: listening on http://%.*s:%d/\n", (int)(colon - listen),
            listen, port);
    fflush(stderr);

    int sig = 0;
    sigwait(&stop, &sig);
    log_info("%s: stopping (finishing the requests in progress)",
             sig == SIGINT ? "SIGINT" : "SIGTERM");
    server_stop(sv, STOP_WAIT_S);
    store_close(s);
    survey_config_free(cfg);
    log_info("stopped");
    return 0;
}
