/* bench_voice.c - what the spoken prompts add to a tap: the time of the two
 * calls the kiosk makes for a vote (voice_say of the rating's name on the
 * tap, voice_say_next of the thank-you when its frame is presented), on the
 * audio device SDL_AUDIODRIVER chooses (dummy: a sound card's pace without
 * one).  Each call only hands the prepared samples to SDL's queue.  Prints
 *
 *   voice_ms median=M p99=P
 *
 *   bench_voice [--runs N]     (default 2000, 1 ms apart)
 */
#include "benchutil.h"
#include "voice.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int runs = 2000;
    if (argc == 3 && strcmp(argv[1], "--runs") == 0)
        runs = atoi(argv[2]);
    else if (argc != 1)
        runs = 0;
    if (runs < 1) {
        fprintf(stderr, "usage: bench_voice [--runs N]\n");
        return 2;
    }
    voice *v = voice_open(MINPING_VOICE_BUILD, 80);
    double *ms = calloc((size_t)runs, sizeof *ms);
    if (!v || !ms) {
        fprintf(stderr, "bench_voice: no audio device or no memory (see the log line)\n");
        return 1;
    }
    static const voice_prompt words[] = {VOICE_RATE_10, VOICE_RATE_8, VOICE_RATE_6,
                                         VOICE_RATE_0};
    for (int i = 0; i < runs; i++) {
        int64_t t0 = bench_now_ns();
        voice_say(v, words[i % 4]);
        voice_say_next(v, VOICE_THANKS);
        ms[i] = (double)(bench_now_ns() - t0) / 1e6;
        SDL_Delay(1);
    }
    printf("voice_ms median=%.4f p99=%.4f\n", bench_percentile(ms, runs, 50),
           bench_percentile(ms, runs, 99));
    free(ms);
    voice_close(v);
    SDL_Quit();
    return 0;
}
