/* media.h - finding where a staff export goes: a mounted removable drive
 * (USB stick) under /media/<user>/<label> or /run/media/<user>/<label>. */
#ifndef MINPING_MEDIA_H
#define MINPING_MEDIA_H

#include "err.h"

#include <stddef.h>

/* The folders searched, in order, each for <root>/<user>/<label>. */
extern const char *const MEDIA_ROOTS[];

/* Finds the first (in name order) mounted, writable drive two levels below
 * one of roots (NULL-terminated).  A folder counts as mounted when it lies on
 * another device than its parent.  Writes its path into out and returns 0;
 * fails with "no removable drive" when there is none. */
int media_find(const char *const roots[], char *out, size_t len, mp_err *err);

#endif
