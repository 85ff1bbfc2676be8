/* check_notify.c - the kiosk's systemd notify protocol, end to end: the real
 * minping-kiosk (--demo, SDL's offscreen driver) with NOTIFY_SOCKET pointing at
 * a unix datagram socket this test binds, as systemd does for a Type=notify
 * unit.  READY=1 once the first screen is shown (its ui-dump written),
 * WATCHDOG=1 repeatedly while WATCHDOG_USEC is set and never without it,
 * STOPPING=1 on SIGTERM.  Also the start-up check's log line. */
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
#include <unistd.h>

typedef struct kiosk_run {
    char *dir;
    char *sock_path;
    char *dump;
    char *log;
    int sock;
    pid_t pid;
} kiosk_run;

/* Binds the socket and starts the kiosk; watchdog_usec NULL: no watchdog. */
static void start(kiosk_run *k, const char *watchdog_usec)
{
    k->dir = tu_mkdtemp();
    k->sock_path = tu_path(k->dir, "notify");
    k->dump = tu_path(k->dir, "ui.json");
    k->log = tu_path(k->dir, "kiosk.log");
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
        execle(MINPING_KIOSK_BIN, MINPING_KIOSK_BIN, "--demo", "--window", "800x480",
               "--ui-dump", k->dump, (char *)NULL, envp);
        _exit(127);
    }
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

int main(void)
{
    Suite *s = suite_create("notify");
    TCase *tc = tcase_create("protocol");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ready_after_the_first_frame_then_watchdog_pings);
    tcase_add_test(tc, no_watchdog_pings_without_a_watchdog);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
