/* check_notify.c - the kiosk's systemd notify protocol, end to end: the real
 * minping-kiosk (--demo, SDL's offscreen driver) with NOTIFY_SOCKET pointing at
 * a unix datagram socket this test binds, as systemd does for a Type=notify
 * unit.  READY=1 once the first screen is shown (its ui-dump written),
 * WATCHDOG=1 repeatedly while WATCHDOG_USEC is set and never without it,
 * STOPPING=1 on SIGTERM.  Asleep outside the open hours (where the loop
 * waits minutes at a time) the pings go on, and SIGTERM still ends it.
 * Also the start-up check's log line. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct kiosk_run {
    char *dir;
    char *sock_path;
    char *dump;
    char *log;
    int sock;
    pid_t pid;
} kiosk_run;

/* A kiosk.ini in dir that is closed today and tomorrow, with the shortest
 * idle time: the kiosk sleeps 5 s after it starts.  Returns its path. */
static char *closed_config(const char *dir)
{
    time_t now = time(NULL);
    struct tm tm;
    ck_assert_ptr_nonnull(localtime_r(&now, &tm));
    int iso_today = tm.tm_wday == 0 ? 7 : tm.tm_wday;
    int open_day = (iso_today + 1) % 7 + 1; /* the day after tomorrow */
    char text[1024];
    snprintf(text, sizeof text,
             "[kiosk]\nid = notify-test\nsurvey_url = https://s.example/q?k={kiosk}\n"
             "pin_hash = $argon2id$v=19$m=65536,t=2,p=1$feQAnoiWdmsCD6pVDJgQTA$"
             "Tg3NMQ7OWiDSeLS2rz9UBFFmQfAML7ZAiVPbfM00x+4\n"
             "idle_seconds = 5\nopen_days = %d\n[units]\nA01 = 县政务服务中心\n"
             "B01 = 县公安局\n",
             open_day);
    char *path = tu_path(dir, "kiosk.ini");
    tu_write_file(path, text, strlen(text));
    return path;
}

/* Binds the socket and starts the kiosk; watchdog_usec NULL: no watchdog;
 * asleep: with closed_config instead of --demo. */
static void start_with(kiosk_run *k, const char *watchdog_usec, int asleep)
{
    k->dir = tu_mkdtemp();
    k->sock_path = tu_path(k->dir, "notify");
    k->dump = tu_path(k->dir, "ui.json");
    k->log = tu_path(k->dir, "kiosk.log");
    char *config = asleep ? closed_config(k->dir) : NULL;
    k->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ck_assert_msg(k->sock >= 0, "socket: %s", strerror(errno));
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    ck_assert(strlen(k->sock_path) < sizeof sa.sun_path);
    strcpy(sa.sun_path, k->sock_path);
    ck_assert_msg(bind(k->sock, (struct sockaddr *)&sa, sizeof sa) == 0, "bind: %s",
                  strerror(errno));
    char env_sock[600], env_state[600], env_wd[64];
    snprintf(env_sock, sizeof env_sock, "NOTIFY_SOCKET=%s", k->sock_path);
    snprintf(env_state, sizeof env_state, "XDG_STATE_HOME=%s", k->dir);
    snprintf(env_wd, sizeof env_wd, "WATCHDOG_USEC=%s", watchdog_usec ? watchdog_usec : "");
    char *envp[16] = {env_sock, env_state, "SDL_VIDEODRIVER=offscreen", "SDL_AUDIODRIVER=dummy",
                      "SDL_RENDER_DRIVER=software", "LANG=C.UTF-8", "HOME=/nonexistent"};
    int n_env = 7;
    if (watchdog_usec)
        envp[n_env++] = env_wd;
    /* A sanitizer build's settings (tests/run.sh) reach the kiosk too. */
    static const char *const pass[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};
    static char passed[3][1024];
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(pass[i]);
        if (v && snprintf(passed[i], sizeof passed[i], "%s=%s", pass[i], v) < (int)sizeof passed[i])
            envp[n_env++] = passed[i];
    }
    envp[n_env] = NULL;
    k->pid = fork();
    ck_assert_msg(k->pid >= 0, "fork: %s", strerror(errno));
    if (k->pid == 0) {
        int fd = open(k->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(126);
        if (asleep)
            execle(MINPING_KIOSK_BIN, MINPING_KIOSK_BIN, "--config", config, "--window",
                   "800x480", "--ui-dump", k->dump, (char *)NULL, envp);
        else
            execle(MINPING_KIOSK_BIN, MINPING_KIOSK_BIN, "--demo", "--window", "800x480",
                   "--ui-dump", k->dump, (char *)NULL, envp);
        _exit(127);
    }
    free(config);
}

static void start(kiosk_run *k, const char *watchdog_usec)
{
    start_with(k, watchdog_usec, 0);
}

/* Waits (a guard of 60 s against a hang) until the ui-dump shows screen. */
static void wait_screen(const kiosk_run *k, const char *screen)
{
    char want[64];
    snprintf(want, sizeof want, "\"screen\": \"%s\"", screen);
    for (int i = 0; i < 600; i++) {
        char *dump = tu_read_file(k->dump, NULL);
        int found = dump && strstr(dump, want);
        free(dump);
        if (found)
            return;
        usleep(100 * 1000);
    }
    ck_abort_msg("the kiosk never showed screen %s", screen);
}

/* The next datagram into buf, or "" when none came within timeout_ms (a
 * guard against a hang, not a measured time). */
static const char *next_msg(kiosk_run *k, char *buf, size_t n, int timeout_ms)
{
    struct pollfd p = {.fd = k->sock, .events = POLLIN};
    int rc = poll(&p, 1, timeout_ms);
    ck_assert_msg(rc >= 0, "poll: %s", strerror(errno));
    if (rc == 0) {
        buf[0] = '\0';
        return buf;
    }
    ssize_t got = recv(k->sock, buf, n - 1, 0);
    ck_assert_msg(got >= 0, "recv: %s", strerror(errno));
    buf[got] = '\0';
    return buf;
}

/* SIGTERM, then every datagram until the kiosk has exited; returns how many
 * contained `what`, and asserts a clean exit. */
static int stop_and_count(kiosk_run *k, const char *what)
{
    ck_assert(kill(k->pid, SIGTERM) == 0);
    int status;
    ck_assert(waitpid(k->pid, &status, 0) == k->pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "kiosk exit status %d", status);
    int count = 0;
    char buf[512];
    while (*next_msg(k, buf, sizeof buf, 0))
        if (strstr(buf, what))
            count++;
    return count;
}

static void finish(kiosk_run *k)
{
    close(k->sock);
    tu_rm_rf(k->dir);
    free(k->dir);
    free(k->sock_path);
    free(k->dump);
    free(k->log);
}

START_TEST(ready_after_the_first_frame_then_watchdog_pings)
{
    kiosk_run k;
    start(&k, "200000"); /* WatchdogSec=200ms: pinged every 100 ms */
    char buf[512];
    const char *m = next_msg(&k, buf, sizeof buf, 60000);
    ck_assert_msg(strstr(m, "READY=1") != NULL, "first message \"%s\", not READY=1", m);
    /* The first screen was shown before READY=1: its dump is written. */
    char *dump = tu_read_file(k.dump, NULL);
    ck_assert_msg(dump != NULL, "READY=1 came before the first screen was shown");
    ck_assert_ptr_nonnull(strstr(dump, "\"screen\""));
    free(dump);
    int pings = 0;
    while (pings < 5) {
        m = next_msg(&k, buf, sizeof buf, 30000);
        ck_assert_msg(*m, "no WATCHDOG=1 after %d pings", pings);
        ck_assert_msg(strstr(m, "READY=1") == NULL, "READY=1 sent twice");
        if (strstr(m, "WATCHDOG=1"))
            pings++;
    }
    ck_assert_int_eq(stop_and_count(&k, "STOPPING=1"), 1);
    finish(&k);
}
END_TEST

START_TEST(no_watchdog_pings_without_a_watchdog)
{
    kiosk_run k;
    start(&k, NULL);
    char buf[512];
    const char *m = next_msg(&k, buf, sizeof buf, 60000);
    ck_assert_msg(strstr(m, "READY=1") != NULL, "first message \"%s\", not READY=1", m);
    /* Let the loop run: a tap's worth of events would be the same. */
    usleep(500 * 1000);
    ck_assert_int_eq(stop_and_count(&k, "WATCHDOG=1"), 0);
    char *log = tu_read_file(k.log, NULL);
    ck_assert_ptr_nonnull(log);
    ck_assert_msg(strstr(log, "start-up check: display: headless (SDL_VIDEODRIVER=offscreen)"),
                  "no start-up check line in:\n%s", log);
    free(log);
    finish(&k);
}
END_TEST

/* Asleep the loop waits for the opening time (minutes), yet WATCHDOG=1
 * keeps coming every half-period. */
START_TEST(asleep_the_watchdog_pings_go_on)
{
    kiosk_run k;
    start_with(&k, "3000000", 1); /* WatchdogSec=3s: pinged every 1.5 s */
    char buf[512];
    const char *m = next_msg(&k, buf, sizeof buf, 60000);
    ck_assert_msg(strstr(m, "READY=1") != NULL, "first message \"%s\", not READY=1", m);
    wait_screen(&k, "sleep");
    while (*next_msg(&k, buf, sizeof buf, 0)) /* the pings before it slept */
        continue;
    for (int pings = 0; pings < 4;) {
        m = next_msg(&k, buf, sizeof buf, 30000);
        ck_assert_msg(*m, "asleep: no WATCHDOG=1 after %d pings", pings);
        if (strstr(m, "WATCHDOG=1"))
            pings++;
    }
    wait_screen(&k, "sleep");
    ck_assert_int_eq(stop_and_count(&k, "STOPPING=1"), 1);
    finish(&k);
}
END_TEST

/* Asleep without a watchdog the loop's wait is 5 minutes; SIGTERM ends it
 * anyway (the guard, 60 s, is far below that wait). */
START_TEST(asleep_sigterm_ends_it)
{
    kiosk_run k;
    start_with(&k, NULL, 1);
    char buf[512];
    const char *m = next_msg(&k, buf, sizeof buf, 60000);
    ck_assert_msg(strstr(m, "READY=1") != NULL, "first message \"%s\", not READY=1", m);
    wait_screen(&k, "sleep");
    usleep(300 * 1000); /* into the long wait */
    ck_assert(kill(k.pid, SIGTERM) == 0);
    int status = 0, gone = 0;
    for (int i = 0; i < 600 && !gone; i++) {
        pid_t w = waitpid(k.pid, &status, WNOHANG);
        ck_assert(w >= 0);
        if (w == k.pid)
            gone = 1;
        else
            usleep(100 * 1000);
    }
    if (!gone) {
        kill(k.pid, SIGKILL);
        waitpid(k.pid, &status, 0);
        ck_abort_msg("asleep, the kiosk ignored SIGTERM for 60 s");
    }
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "kiosk exit status %d", status);
    char *log = tu_read_file(k.log, NULL);
    ck_assert_ptr_nonnull(strstr(log, "signal 15: shutting down"));
    free(log);
    finish(&k);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("notify");
    TCase *tc = tcase_create("protocol");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ready_after_the_first_frame_then_watchdog_pings);
    tcase_add_test(tc, no_watchdog_pings_without_a_watchdog);
    tcase_add_test(tc, asleep_the_watchdog_pings_go_on);
    tcase_add_test(tc, asleep_sigterm_ends_it);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
