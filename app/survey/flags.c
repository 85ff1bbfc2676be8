/* flags.c - per-address sliding-window counters and salted hashes. */
#include "flags.h"
#include "vote.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    unsigned char key[16];
    int used;
    int64_t last_ms;
    vote_burst *burst;
} slot;

struct flags {
    pthread_mutex_t lock;
    int limit, window_s;
    unsigned char salt[32];
    slot *slots;
};

enum { PROBE = 16 };

flags *flags_create(int limit, int window_s, const unsigned char salt[32])
{
    flags *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->slots = calloc(FLAGS_SLOTS, sizeof *f->slots);
    if (!f->slots || pthread_mutex_init(&f->lock, NULL) != 0) {
        free(f->slots);
        free(f);
        return NULL;
    }
    f->limit = limit;
    f->window_s = window_s;
    memcpy(f->salt, salt, 32);
    return f;
}

void flags_destroy(flags *f)
{
    if (!f)
        return;
    for (int i = 0; i < FLAGS_SLOTS; i++)
        vote_burst_destroy(f->slots[i].burst);
    free(f->slots);
    pthread_mutex_destroy(&f->lock);
    sodium_memzero(f->salt, sizeof f->salt);
    free(f);
}

void flags_hash(const unsigned char salt[32], const char *text, char out[FLAGS_HASH_HEX])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text), salt, 32);
    sodium_bin2hex(out, FLAGS_HASH_HEX, h, sizeof h);
}

int flags_note(flags *f, const char *address, int64_t now_ms)
{
    unsigned char key[16];
    crypto_generichash(key, sizeof key, (const unsigned char *)address, strlen(address),
                       f->salt, sizeof f->salt);
    uint32_t start;
    memcpy(&start, key, sizeof start);
    start %= FLAGS_SLOTS;
    pthread_mutex_lock(&f->lock);
    slot *hit = NULL, *victim = NULL;
    for (int i = 0; i < PROBE; i++) {
        slot *s = &f->slots[(start + (uint32_t)i) % FLAGS_SLOTS];
        if (s->used && memcmp(s->key, key, sizeof key) == 0) {
            hit = s;
            break;
        }
        /* The first free slot, else the one seen least recently. */
        if (!s->used) {
            if (!victim || victim->used)
                victim = s;
        } else if (!victim || (victim->used && s->last_ms < victim->last_ms)) {
            victim = s;
        }
    }
    if (!hit) {
        hit = victim;
        vote_burst_destroy(hit->burst);
        hit->burst = vote_burst_create(f->limit, f->window_s);
        memcpy(hit->key, key, sizeof key);
        hit->used = hit->burst != NULL;
    }
    int over = 0;
    if (hit->burst) {
        over = vote_burst_check(hit->burst, now_ms);
        vote_burst_record(hit->burst, now_ms);
    }
    hit->last_ms = now_ms;
    pthread_mutex_unlock(&f->lock);
    return over;
}
