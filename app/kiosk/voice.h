/* voice.h - the kiosk's spoken prompts: short Mandarin WAV files (made at
 * build time by espeak-ng, voice cmn; assets/voice/voice.cmake) played
 * through one SDL audio device.
 *
 * Everything slow happens in voice_open, at start: the files are read,
 * converted to the device's format and scaled to the volume once.  Saying
 * a prompt afterwards only hands its samples to SDL's queue (SDL_QueueAudio
 * copies them; SDL's own audio thread plays them), so it never waits for
 * the sound card and never blocks the UI thread.  Which prompt is said when
 * is decided elsewhere (cue.c); this module knows only how to play them.
 */
#ifndef MINPING_VOICE_H
#define MINPING_VOICE_H

typedef struct voice voice;

typedef enum voice_prompt {
    VOICE_UNITS,   /* 请选择单位 */
    VOICE_RATING,  /* 请您评价 */
    VOICE_THANKS,  /* 谢谢您的评价 */
    VOICE_RATE_10, /* 非常满意 */
    VOICE_RATE_8,  /* 基本满意 */
    VOICE_RATE_6,  /* 一般 */
    VOICE_RATE_0,  /* 不满意 */
    VOICE_PROMPT_COUNT
} voice_prompt;

/* The file name of prompt p in the prompts' folder ("rate_0.wav"). */
const char *voice_file(voice_prompt p);

/* Starts SDL's audio, reads every prompt from dir, and opens one playback
 * device in the prompts' own format (SDL converts for the hardware where
 * it differs).  volume is 0-100, percent of the recorded level.  Returns
 * the player, or NULL after logging one English warning line saying why
 * (no audio device, a missing file): the kiosk then runs silent.  While
 * SDL probes the audio drivers, standard error goes to /dev/null (libasound
 * writes its own lines there on a machine without a sound card): call it
 * before any other thread may log. */
voice *voice_open(const char *dir, int volume);
/* Stops the device and frees the prompts; NULL is fine. */
void voice_close(voice *v);

/* Closes the audio device while the kiosk sleeps outside its open hours
 * (an open device plays silence all night, its thread woken every few
 * milliseconds, the sound card kept awake), and opens it again on waking,
 * with the format the prompts were converted for.  A device that cannot
 * be opened again leaves the kiosk silent, with one warning.  Prompts said
 * in between are dropped.  NULL does nothing. */
void voice_suspend(voice *v);
void voice_resume(voice *v);

/* Says p now: whatever is playing or queued is dropped.  NULL does nothing. */
void voice_say(voice *v, voice_prompt p);
/* Says p after what is playing or queued (at once when nothing is). */
void voice_say_next(voice *v, voice_prompt p);

#endif
