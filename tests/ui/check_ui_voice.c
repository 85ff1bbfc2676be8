/* check_ui_voice.c - the spoken prompts (app/kiosk/voice.h, cue.c), heard
 * through SDL's disk audio driver: it writes what the device plays, in the
 * device's format (the prompts' own: 16-bit mono), to SDL_DISKAUDIOFILE, in
 * real time.  The samples written after a tap must be those of the right
 * prompt's WAV file (made by espeak-ng at build time), scaled by volume,
 * and nothing but silence before and after them; voice = off plays nothing,
 * and a kiosk without an audio device still takes votes, silently.  Each
 * test waits for the prompt to be played out (one to five seconds). */
#include "uitest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char out_path[400];

typedef struct pcm {
    int16_t *s;
    size_t n;
} pcm;

/* The prompt `name` as espeak-ng recorded it. */
static pcm load_prompt(const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s.wav", MINPING_VOICE_BUILD, name);
    SDL_AudioSpec spec;
    Uint8 *buf;
    Uint32 len;
    ck_assert_msg(SDL_LoadWAV(path, &spec, &buf, &len) != NULL, "%s: %s", path, SDL_GetError());
    ck_assert_int_eq(spec.format, AUDIO_S16LSB);
    ck_assert_int_eq(spec.channels, 1);
    pcm p = {malloc(len), len / 2};
    ck_assert_ptr_nonnull(p.s);
    memcpy(p.s, buf, len);
    SDL_FreeWAV(buf);
    return p;
}

/* a's samples at volume percent, then b's (b may be empty). */
static pcm expect(pcm x, pcm y, int volume)
{
    pcm e = {malloc((x.n + y.n + 1) * sizeof(int16_t)), x.n + y.n};
    ck_assert_ptr_nonnull(e.s);
    for (size_t i = 0; i < x.n; i++)
        e.s[i] = (int16_t)(x.s[i] * volume / 100);
    for (size_t i = 0; i < y.n; i++)
        e.s[x.n + i] = (int16_t)(y.s[i] * volume / 100);
    return e;
}

static long out_size(void)
{
    struct stat st;
    return stat(out_path, &st) == 0 ? (long)st.st_size : -1;
}

/* Waits (in real time: the disk driver writes as fast as a sound card
 * plays) until the output holds at least `bytes`. */
static void wait_output(long bytes)
{
    for (int i = 0; i < 1000 && out_size() < bytes; i++)
        SDL_Delay(20);
    ck_assert_msg(out_size() >= bytes, "the audio output has %ld bytes, not %ld", out_size(),
                  bytes);
}

/* Starts a kiosk of n units with voice settings `extra`, the disk driver
 * writing to out_path; waits until it has written some silence. */
static void start_voice(int n, const char *extra)
{
    snprintf(out_path, sizeof out_path, "%s/voice.raw", dir);
    setenv("SDL_AUDIODRIVER", "disk", 1);
    setenv("SDL_DISKAUDIOFILE", out_path, 1);
    ui_voice_dir = MINPING_VOICE_BUILD;
    mp_err err;
    ck_assert_msg(start_app(n, 800, 480, extra, &err) == 0, "%s", err.msg);
    app_render(a);
}

/* Lets the kiosk play `samples` more samples (and a margin), then closes it
 * so that the output file is complete, and returns the output. */
static pcm played(size_t samples)
{
    long at = out_size();
    if (at < 0)
        at = 0;
    wait_output(at + (long)samples * 2 + 16384);
    app_destroy(a);
    a = NULL;
    long len;
    unsigned char *bytes = read_file_all(out_path, &len);
    pcm d = {(int16_t *)(void *)bytes, (size_t)len / 2};
    return d;
}

static size_t first_sound(pcm p)
{
    size_t i = 0;
    while (i < p.n && p.s[i] == 0)
        i++;
    return i;
}

/* The output d is silence, then exactly the sound of e (from its first
 * non-zero sample), then silence: the prompt, whole, and nothing else. */
static void assert_spoken(pcm d, pcm e, const char *what)
{
    size_t d0 = first_sound(d), e0 = first_sound(e);
    ck_assert_msg(d0 < d.n, "%s: the output (%zu samples) is silence", what, d.n);
    size_t n = e.n - e0;
    ck_assert_msg(d.n - d0 >= n, "%s: the output stops %zu samples into the prompt's %zu", what,
                  d.n - d0, n);
    double energy = 0;
    for (size_t k = 0; k < n; k++) {
        ck_assert_msg(d.s[d0 + k] == e.s[e0 + k],
                      "%s: sample %zu of the prompt is %d in the output, %d in the WAV", what, k,
                      d.s[d0 + k], e.s[e0 + k]);
        energy += (double)d.s[d0 + k] * d.s[d0 + k];
    }
    /* Speech, not a click: an RMS level of at least 1000 (of 32767). */
    ck_assert_msg(energy / (double)n > 1000.0 * 1000.0, "%s: RMS %.0f", what,
                  SDL_sqrt(energy / (double)n));
    for (size_t k = d0 + n; k < d.n; k++)
        ck_assert_msg(d.s[k] == 0, "%s: sound after the prompt, at sample %zu", what, k - d0 - n);
}

static void free_pcm(pcm p)
{
    free(p.s);
}

/* The four ratings' prompts differ: matching one is not matching any. */
START_TEST(the_rating_prompts_differ)
{
    static const char *names[] = {"rate_10", "rate_8", "rate_6", "rate_0", "units", "rating",
                                  "thanks"};
    pcm p[7];
    for (int i = 0; i < 7; i++)
        p[i] = load_prompt(names[i]);
    for (int i = 0; i < 7; i++)
        for (int j = i + 1; j < 7; j++)
            ck_assert_msg(p[i].n != p[j].n || memcmp(p[i].s, p[j].s, p[i].n * 2) != 0,
                          "%s.wav and %s.wav are the same", names[i], names[j]);
    for (int i = 0; i < 7; i++)
        free_pcm(p[i]);
}
END_TEST

/* A tap on 不满意 says 不满意, then 谢谢您的评价 once the vote is stored;
 * the kiosk said nothing when it started. */
START_TEST(a_tap_on_buman_says_it_then_thanks)
{
    start_voice(1, "voice = on\nvolume = 100\n");
    assert_screen("rating");
    wait_output(8192); /* it runs, silent */
    tap("rate.0");
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("points = 0"), 1);
    pcm word = load_prompt("rate_0"), thanks = load_prompt("thanks");
    pcm e = expect(word, thanks, 100);
    pcm d = played(e.n);
    assert_spoken(d, e, "不满意 + 谢谢您的评价");
    free_pcm(word);
    free_pcm(thanks);
    free_pcm(e);
    free_pcm(d);
}
END_TEST

/* volume = 50: the same samples at half their amplitude. */
START_TEST(volume_scales_the_samples)
{
    start_voice(1, "volume = 50\n"); /* voice on by default */
    wait_output(8192);
    tap("rate.6");
    assert_screen("thanks");
    pcm word = load_prompt("rate_6"), thanks = load_prompt("thanks");
    pcm e = expect(word, thanks, 50);
    pcm d = played(e.n);
    assert_spoken(d, e, "一般 + 谢谢您的评价 at volume 50");
    int peak_out = 0, peak_wav = 0;
    for (size_t i = 0; i < d.n; i++)
        peak_out = abs(d.s[i]) > peak_out ? abs(d.s[i]) : peak_out;
    for (size_t i = 0; i < word.n; i++)
        peak_wav = abs(word.s[i]) > peak_wav ? abs(word.s[i]) : peak_wav;
    ck_assert_int_le(peak_out, peak_wav / 2 + 1);
    ck_assert_int_ge(peak_out, peak_wav / 2 - 1);
    free_pcm(word);
    free_pcm(thanks);
    free_pcm(e);
    free_pcm(d);
}
END_TEST

/* A unit chosen by a tap: the rating screen says 请您评价 (and the units
 * screen, shown at start, said nothing). */
START_TEST(the_rating_screen_brought_by_a_tap_says_its_prompt)
{
    start_voice(2, NULL);
    assert_screen("units");
    wait_output(8192);
    tap("unit.U01");
    assert_screen("rating");
    pcm p = load_prompt("rating"), none = {NULL, 0};
    pcm e = expect(p, none, 100);
    pcm d = played(e.n);
    /* At 80 %, SDL's 128 volume steps give 102/128, not 80/100: compare
     * with the samples SDL's mixer makes at that step. */
    for (size_t i = 0; i < p.n; i++)
        e.s[i] = (int16_t)(p.s[i] * 102 / 128);
    assert_spoken(d, e, "请您评价");
    free_pcm(p);
    free_pcm(e);
    free_pcm(d);
}
END_TEST

/* A tap beside every button (the header's middle) says the screen's
 * prompt again. */
START_TEST(a_tap_beside_the_buttons_repeats_the_prompt)
{
    start_voice(1, "volume = 100\n");
    wait_output(8192);
    mouse(SDL_MOUSEBUTTONDOWN, 400, 4, 0);
    advance(80);
    mouse(SDL_MOUSEBUTTONUP, 400, 4, 0);
    advance(20);
    assert_screen("rating");
    pcm p = load_prompt("rating"), none = {NULL, 0};
    pcm e = expect(p, none, 100);
    pcm d = played(e.n);
    assert_spoken(d, e, "请您评价 again");
    free_pcm(p);
    free_pcm(e);
    free_pcm(d);
}
END_TEST

/* voice = off: no audio device at all, so nothing is written. */
START_TEST(voice_off_plays_nothing)
{
    start_voice(1, "voice = off\n");
    tap("rate.0");
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("points = 0"), 1);
    SDL_Delay(300);
    app_destroy(a);
    a = NULL;
    long len = 0;
    unsigned char *bytes = out_size() >= 0 ? read_file_all(out_path, &len) : NULL;
    for (long i = 0; i < len; i++)
        ck_assert_msg(bytes[i] == 0, "voice = off wrote sound at byte %ld", i);
    free(bytes);
}
END_TEST

/* Asleep outside the open hours, the audio device is closed (the disk
 * driver's file stops growing: an open device writes silence in real
 * time); the touch that wakes the kiosk opens it again (the disk driver
 * starts a new file) and the rating screen it brings says its prompt. */
START_TEST(asleep_the_audio_device_is_closed)
{
    ui_wall = 1796601600LL + 5 * 86400LL + 10 * 3600; /* a Saturday: closed all day */
    start_voice(1, "voice = on\nvolume = 100\nopen_hours = 08:00-17:30\nopen_days = 1-5\n");
    app_set_utc_clock(a, ui_wall_clock);
    wait_output(8192); /* open, writing silence */
    advance(30100);
    assert_screen("sleep");
    long asleep = out_size();
    SDL_Delay(400); /* 8,820 samples of 22,050 Hz, had it stayed open */
    ck_assert_msg(out_size() == asleep, "asleep, the device wrote %ld bytes more",
                  out_size() - asleep);
    touch_at(400, 300);
    assert_screen("rating");
    pcm prompt = load_prompt("rating");
    pcm e = expect(prompt, (pcm){NULL, 0}, 100);
    pcm d = played(e.n);
    assert_spoken(d, e, "请您评价 after waking");
    free_pcm(prompt);
    free_pcm(e);
    free_pcm(d);
}
END_TEST

/* Starts a kiosk with voice on, SDL audio driver `driver` and the prompts
 * from voice_dir, standard error captured: it must log one English
 * `voice:` warning line (containing `why`) and take a vote as always. */
static void assert_runs_silent(const char *driver, const char *voice_dir, const char *why)
{
    char log_path[400];
    snprintf(log_path, sizeof log_path, "%s/stderr.log", dir);
    snprintf(out_path, sizeof out_path, "%s/voice.raw", dir);
    setenv("SDL_AUDIODRIVER", driver, 1);
    setenv("SDL_DISKAUDIOFILE", out_path, 1);
    ui_voice_dir = voice_dir;
    fflush(stderr);
    int saved = dup(2);
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(dup2(fd, 2), 0);
    close(fd);
    mp_err err;
    int rc = start_app(1, 800, 480, "voice = on\n", &err);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ck_assert_msg(rc == 0, "%s", err.msg);
    app_render(a);
    tap("rate.8");
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("points = 8"), 1);
    long len;
    unsigned char *raw = read_file_all(log_path, &len);
    char *log = calloc(1, (size_t)len + 1);
    ck_assert_ptr_nonnull(log);
    memcpy(log, raw, (size_t)len);
    free(raw);
    int lines = 0;
    for (char *l = log; (l = strstr(l, "voice:")) != NULL; l++)
        lines++;
    ck_assert_msg(lines == 1, "voice: lines logged: %d\n%s", lines, log);
    ck_assert_ptr_nonnull(strstr(log, "[warn]: voice: "));
    ck_assert_ptr_nonnull(strstr(log, "the kiosk runs silent"));
    ck_assert_msg(strstr(log, why) != NULL, "no \"%s\" in:\n%s", why, log);
    free(log);
    ck_assert_int_lt(out_size(), 1); /* no device played */
}

/* No audio device (a driver that does not exist). */
START_TEST(without_an_audio_device_it_runs_silent)
{
    assert_runs_silent("no-such-driver", MINPING_VOICE_BUILD, "SDL audio cannot start");
}
END_TEST

/* The prompt files missing (an empty folder). */
START_TEST(without_its_prompt_files_it_runs_silent)
{
    assert_runs_silent("disk", dir, "cannot read the prompt");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ui_voice");
    TCase *tc = tcase_create("voice");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, ui_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, ui_setup, ui_teardown);
    tcase_add_test(tc, the_rating_prompts_differ);
    tcase_add_test(tc, a_tap_on_buman_says_it_then_thanks);
    tcase_add_test(tc, volume_scales_the_samples);
    tcase_add_test(tc, the_rating_screen_brought_by_a_tap_says_its_prompt);
    tcase_add_test(tc, a_tap_beside_the_buttons_repeats_the_prompt);
    tcase_add_test(tc, asleep_the_audio_device_is_closed);
    tcase_add_test(tc, voice_off_plays_nothing);
    tcase_add_test(tc, without_an_audio_device_it_runs_silent);
    tcase_add_test(tc, without_its_prompt_files_it_runs_silent);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
