/* votes.c - `minping-office votes exclude|restore|log`: the review of votes
 * (申诉复核).  exclude and restore record a decision (review.h) about the
 * votes a selector covers; log lists every decision, oldest first.  The
 * votes themselves are never changed. */
#include "office.h"

#include "clock.h"
#include "i18n.h"
#include "registry.h"
#include "review.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD "votes"

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] votes exclude --kiosk ID [--instance I]\n"
            "           (--seq A-B | --flagged [--seq A-B]) --reason TEXT [--by NAME]\n"
            "       minping-office [--db FILE] votes restore (the same options)\n"
            "       minping-office [--db FILE] votes log [--kiosk ID]\n"
            "\n"
            "The review of votes (申诉复核).  exclude leaves the votes it names out of every\n"
            "count and score (report, assess) without deleting them; restore counts them\n"
            "again.  Each is recorded with who, when, why, which votes and how many, and\n"
            "is never changed or deleted: log lists them, oldest first (list-exclusions is\n"
            "the same).  A vote is excluded when the latest record naming it is an\n"
            "exclusion, also when it is imported after that record.\n"
            "\n"
            "Options:\n"
            "  --kiosk ID       the kiosk that recorded the votes\n"
            "  --instance I     its database instance (the first digits are enough); needed\n"
            "                   only when the kiosk has votes from more than one\n"
            "  --seq A-B        the votes numbered A to B (or one number: --seq A)\n"
            "  --flagged        only the votes flagged as suspected ballot stuffing (a whole\n"
            "                   burst); without --seq every flagged vote of the instance\n"
            "  --reason TEXT    why (required)\n"
            "  --by NAME        who decides (default: the login name)\n"
            "  -h, --help       show this help\n"
            "\n"
            "Exit status: 0 recorded (or listed); 1 nothing recorded: an unknown kiosk or\n"
            "instance, no vote in the range, nothing to change, the office database missing;\n"
            "2 a mistake in the command line (a missing option, a malformed range).\n"),
          f);
}

enum { OPT_KIOSK = 256, OPT_INSTANCE, OPT_SEQ, OPT_FLAGGED, OPT_REASON, OPT_BY };

/* "A-B" or "A" into from..to; -1 when malformed. */
static int parse_range(const char *s, int64_t *from, int64_t *to)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return -1;
    long long a = strtoll(s, &end, 10), b = a;
    if (errno)
        return -1;
    if (*end == '-') {
        const char *t = end + 1;
        if (*t < '0' || *t > '9')
            return -1;
        b = strtoll(t, &end, 10);
        if (errno)
            return -1;
    }
    if (*end || a < 1 || b < a)
        return -1;
    *from = a;
    *to = b;
    return 0;
}

/* Who decides: --by, else the login name. */
static const char *who(const char *by)
{
    if (by)
        return by;
    const char *u = getenv("USER");
    if (u && *u)
        return u;
    u = getenv("LOGNAME");
    if (u && *u)
        return u;
    const struct passwd *pw = getpwuid(geteuid());
    return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : NULL;
}

static void seq_text(const review_record *r, char *buf, size_t len)
{
    if (r->seq_from <= 1 && r->seq_to == REVIEW_SEQ_ALL)
        snprintf(buf, len, "%s", _("all"));
    else if (r->seq_from == r->seq_to)
        snprintf(buf, len, "%" PRId64, r->seq_from);
    else
        snprintf(buf, len, "%" PRId64 "-%" PRId64, r->seq_from, r->seq_to);
}

static int print_record(void *user, const review_record *r)
{
    (void)user;
    char when[32], seqs[48];
    office_format_time(r->at_utc, when, sizeof when);
    seq_text(r, seqs, sizeof seqs);
    printf(r->exclude ? _("#%" PRId64 "  %s  exclude  kiosk %s  database %.8s  votes %s%s: "
                          "%" PRId64 " covered, %" PRId64 " excluded  by %s\n")
                      : _("#%" PRId64 "  %s  restore  kiosk %s  database %.8s  votes %s%s: "
                          "%" PRId64 " covered, %" PRId64 " restored  by %s\n"),
           r->id, when, r->kiosk_id, r->instance, seqs, r->flagged_only ? _(" (flagged only)") : "",
           r->votes, r->changed, r->by);
    printf(_("    reason: %s\n"), r->reason);
    return 0;
}

static int cmd_log(const office_ctx *ctx, const char *kiosk)
{
    registry *reg = NULL;
    mp_err err;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0)
        return office_fail("%s", err.msg);
    int n = 0;
    int rc = review_each(registry_sqlite(reg), kiosk, print_record, &n, &err);
    registry_close(reg);
    if (rc < 0)
        return office_fail("%s", err.msg);
    return OFFICE_EXIT_OK;
}

int office_votes(const office_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"kiosk", required_argument, NULL, OPT_KIOSK},
        {"instance", required_argument, NULL, OPT_INSTANCE},
        {"seq", required_argument, NULL, OPT_SEQ},
        {"flagged", no_argument, NULL, OPT_FLAGGED},
        {"reason", required_argument, NULL, OPT_REASON},
        {"by", required_argument, NULL, OPT_BY},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sub = NULL, *kiosk = NULL, *instance = NULL, *seq = NULL, *reason = NULL,
               *by = NULL;
    int flagged = 0;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (sub)
                return office_usage(CMD, "unexpected argument \"%s\"", optarg);
            sub = optarg;
            break;
        case OPT_KIOSK: kiosk = optarg; break;
        case OPT_INSTANCE: instance = optarg; break;
        case OPT_SEQ: seq = optarg; break;
        case OPT_FLAGGED: flagged = 1; break;
        case OPT_REASON: reason = optarg; break;
        case OPT_BY: by = optarg; break;
        case 'h':
            print_help(stdout);
            return OFFICE_EXIT_OK;
        default:
            return office_option_error(CMD, c, argv);
        }
    }
    if (!sub)
        return office_usage(CMD, "say exclude, restore or log");
    if (strcmp(sub, "log") == 0 || strcmp(sub, "list-exclusions") == 0) {
        if (instance || seq || flagged || reason || by)
            return office_usage(CMD, "log takes only --kiosk");
        return cmd_log(ctx, kiosk);
    }
    int exclude;
    if (strcmp(sub, "exclude") == 0)
        exclude = 1;
    else if (strcmp(sub, "restore") == 0)
        exclude = 0;
    else
        return office_usage(CMD, "unknown subcommand \"%s\": say exclude, restore or log", sub);
    if (!kiosk || !*kiosk)
        return office_usage(CMD, "%s needs --kiosk", sub);
    review_selector sel = {.kiosk_id = kiosk, .instance = instance, .seq_from = 1,
                           .seq_to = REVIEW_SEQ_ALL, .flagged_only = flagged};
    if (!seq && !flagged)
        return office_usage(CMD, "%s needs --seq A-B (or --flagged)", sub);
    if (seq && parse_range(seq, &sel.seq_from, &sel.seq_to) < 0)
        return office_usage(CMD, "--seq \"%s\" is not a range of vote numbers like 31-45", seq);
    if (!reason || !*reason)
        return office_usage(CMD, "%s needs --reason", sub);
    const char *name = who(by);
    if (!name || !*name)
        return office_usage(CMD, "say who decides with --by (no login name is known)");

    registry *reg = NULL;
    mp_err err;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0)
        return office_fail("%s", err.msg);
    review_result res;
    int rc = review_add(registry_sqlite(reg), &sel, exclude, reason, name, clock_utc_now(), &res,
                        &err);
    registry_close(reg);
    if (rc < 0)
        return office_fail("%s", err.msg);
    if (exclude)
        printf(P_("excluded %" PRId64 " vote of kiosk %s (database %.8s); %" PRId64
                  " covered by the selection\n",
                  "excluded %" PRId64 " votes of kiosk %s (database %.8s); %" PRId64
                  " covered by the selection\n",
                  (unsigned long)res.changed),
               res.changed, kiosk, res.instance, res.votes);
    else
        printf(P_("restored %" PRId64 " vote of kiosk %s (database %.8s); %" PRId64
                  " covered by the selection\n",
                  "restored %" PRId64 " votes of kiosk %s (database %.8s); %" PRId64
                  " covered by the selection\n",
                  (unsigned long)res.changed),
               res.changed, kiosk, res.instance, res.votes);
    printf(_("record #%" PRId64 "\n"), res.id);
    return OFFICE_EXIT_OK;
}
