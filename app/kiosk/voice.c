/* voice.c - the spoken prompts through one SDL audio device (voice.h). */
#include "voice.h"
#include "log.h"

#include <SDL.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const FILES[VOICE_PROMPT_COUNT] = {
    [VOICE_UNITS] = "units.wav",    [VOICE_RATING] = "rating.wav",
    [VOICE_THANKS] = "thanks.wav",  [VOICE_RATE_10] = "rate_10.wav",
    [VOICE_RATE_8] = "rate_8.wav",  [VOICE_RATE_6] = "rate_6.wav",
    [VOICE_RATE_0] = "rate_0.wav",
};

/* A device buffer of 1024 frames: at the prompts' 22050 Hz, 46 ms, the
 * most of an old prompt still heard after a new one replaces it. */
enum { VOICE_DEVICE_FRAMES = 1024 };

struct voice {
    SDL_AudioDeviceID dev;          /* 0 while suspended */
    SDL_AudioSpec want;             /* what it was opened with, to open it again */
    Uint8 *pcm[VOICE_PROMPT_COUNT]; /* in the device's format, volume applied */
    Uint32 len[VOICE_PROMPT_COUNT];
};

/* libasound writes lines of its own on standard error ("ALSA lib
 * confmisc.c:855:(parse_card) cannot find card '0'") when SDL probes a
 * machine without a sound card; the kiosk's log says it in one line of its
 * own (voice_open).  So standard error goes to /dev/null while SDL starts
 * its audio and opens the device, at start, before the kiosk's other
 * thread has anything to log.  quiet_stderr returns the saved descriptor
 * for loud_stderr, or -1 (then nothing was changed). */
static int quiet_stderr(void)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved < 0 || null < 0 || dup2(null, STDERR_FILENO) < 0) {
        if (saved >= 0)
            close(saved);
        if (null >= 0)
            close(null);
        return -1;
    }
    close(null);
    return saved;
}

static void loud_stderr(int saved)
{
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

const char *voice_file(voice_prompt p)
{
    return p >= 0 && p < VOICE_PROMPT_COUNT ? FILES[p] : "";
}

/* Converts wav (in format `from`) to the device's format `to` and scales it
 * by vol (0 to SDL_MIX_MAXVOLUME) into v->pcm[p].  Returns 0, or -1 with
 * SDL's error set. */
static int prepare(voice *v, voice_prompt p, const SDL_AudioSpec *from, const Uint8 *wav,
                   Uint32 wav_len, const SDL_AudioSpec *to, int vol)
{
    SDL_AudioCVT cvt;
    int need = SDL_BuildAudioCVT(&cvt, from->format, from->channels, from->freq, to->format,
                                 to->channels, to->freq);
    if (need < 0)
        return -1;
    if ((size_t)wav_len * (size_t)(cvt.len_mult > 0 ? cvt.len_mult : 1) > INT32_MAX)
        return SDL_SetError("too long");
    cvt.len = (int)wav_len;
    cvt.buf = malloc((size_t)wav_len * (size_t)(cvt.len_mult > 0 ? cvt.len_mult : 1));
    if (!cvt.buf)
        return SDL_OutOfMemory();
    memcpy(cvt.buf, wav, wav_len);
    if (need > 0 && SDL_ConvertAudio(&cvt) < 0) {
        free(cvt.buf);
        return -1;
    }
    Uint32 n = need > 0 ? (Uint32)cvt.len_cvt : wav_len;
    /* Mixed into silence: the samples times vol / SDL_MIX_MAXVOLUME. */
    v->pcm[p] = calloc(n ? n : 1, 1);
    if (!v->pcm[p]) {
        free(cvt.buf);
        return SDL_OutOfMemory();
    }
    if (to->silence != 0)
        memset(v->pcm[p], to->silence, n);
    SDL_MixAudioFormat(v->pcm[p], cvt.buf, to->format, n, vol);
    v->len[p] = n;
    free(cvt.buf);
    return 0;
}

voice *voice_open(const char *dir, int volume)
{
    voice *v = calloc(1, sizeof *v);
    if (!v) {
        log_warn("voice: out of memory: the kiosk runs silent");
        return NULL;
    }
    int saved = quiet_stderr();
    int started = SDL_InitSubSystem(SDL_INIT_AUDIO);
    loud_stderr(saved);
    if (started != 0) {
        log_warn("voice: SDL audio cannot start (%s): the kiosk runs silent (fix the sound "
                 "card, or set voice = off in kiosk.ini)", SDL_GetError());
        free(v);
        return NULL;
    }
    SDL_AudioSpec spec[VOICE_PROMPT_COUNT];
    Uint8 *wav[VOICE_PROMPT_COUNT] = {0};
    Uint32 wav_len[VOICE_PROMPT_COUNT] = {0};
    char path[4200];
    const char *problem = NULL;
    int p;
    for (p = 0; p < VOICE_PROMPT_COUNT; p++) {
        snprintf(path, sizeof path, "%s/%s", dir, FILES[p]);
        if (!SDL_LoadWAV(path, &spec[p], &wav[p], &wav_len[p])) {
            problem = "cannot read the prompt";
            break;
        }
    }
    SDL_AudioSpec have = {0};
    if (!problem) {
        /* The device takes the prompts' own format: SDL converts for the
         * hardware if it wants another, and a disk device's output is the
         * prompts' samples as recorded (tests/ui/check_ui_voice.c). */
        SDL_AudioSpec want = spec[0];
        want.samples = VOICE_DEVICE_FRAMES;
        want.callback = NULL;
        want.userdata = NULL;
        saved = quiet_stderr();
        v->want = want;
        v->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
        loud_stderr(saved);
        if (v->dev == 0) {
            problem = "no audio device could be opened";
            snprintf(path, sizeof path, "audio driver %s",
                     SDL_GetCurrentAudioDriver() ? SDL_GetCurrentAudioDriver() : "none");
        }
    }
    int vol = (volume * SDL_MIX_MAXVOLUME + 50) / 100;
    for (int q = 0; !problem && q < VOICE_PROMPT_COUNT; q++)
        if (prepare(v, (voice_prompt)q, &spec[q], wav[q], wav_len[q], &have, vol) < 0) {
            problem = "cannot convert the prompt";
            snprintf(path, sizeof path, "%s/%s", dir, FILES[q]);
        }
    for (int q = 0; q < VOICE_PROMPT_COUNT; q++)
        SDL_FreeWAV(wav[q]);
    if (problem) {
        log_warn("voice: %s (%s: %s): the kiosk runs silent (fix the sound card or the "
                 "prompt files, or set voice = off in kiosk.ini)", problem, path, SDL_GetError());
        voice_close(v);
        return NULL;
    }
    SDL_PauseAudioDevice(v->dev, 0);
    log_info("voice: %d prompts from %s on audio driver %s, %d Hz, volume %d%%",
             VOICE_PROMPT_COUNT, dir, SDL_GetCurrentAudioDriver(), have.freq, volume);
    return v;
}

void voice_close(voice *v)
{
    if (!v)
        return;
    if (v->dev)
        SDL_CloseAudioDevice(v->dev);
    for (int p = 0; p < VOICE_PROMPT_COUNT; p++)
        free(v->pcm[p]);
    free(v);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

void voice_suspend(voice *v)
{
    if (!v || !v->dev)
        return;
    SDL_CloseAudioDevice(v->dev);
    v->dev = 0;
    log_info("voice: audio device closed while asleep");
}

void voice_resume(voice *v)
{
    if (!v || v->dev)
        return;
    /* No format change allowed: SDL converts for the hardware, so the
     * prompts converted at voice_open fit the device as before. */
    SDL_AudioSpec want = v->want, have;
    v->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!v->dev) {
        log_warn("voice: the audio device cannot be opened again (%s): silent until the next "
                 "wake or restart, which try again", SDL_GetError());
        return;
    }
    SDL_PauseAudioDevice(v->dev, 0);
}

void voice_say_next(voice *v, voice_prompt p)
{
    if (!v || !v->dev || p < 0 || p >= VOICE_PROMPT_COUNT)
        return;
    if (SDL_QueueAudio(v->dev, v->pcm[p], v->len[p]) != 0)
        log_warn("voice: %s: %s", FILES[p], SDL_GetError());
}

void voice_say(voice *v, voice_prompt p)
{
    if (!v || !v->dev)
        return;
    SDL_ClearQueuedAudio(v->dev);
    voice_say_next(v, p);
}
