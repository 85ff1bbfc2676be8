/* server.h - minping-survey's HTTP side (libmicrohttpd): routes requests to
 * the pages, checks form tokens, applies the stuffing rules and the request
 * bounds, and hands votes and follow-ups to the writer.
 *
 *   GET  /             the unit picker
 *   GET  /u/CODE       the rating page of unit CODE
 *   POST /u/CODE       a vote (fields rating, csrf)
 *   POST /followup     a follow-up of a vote (vote, csrf, reason..., comment, send)
 *   GET  /f/TOKEN      the follow-up form of a kiosk vote (fu_token.h)
 *   POST /f/TOKEN      that follow-up (csrf, reason..., comment, send)
 *   GET  /s/...        the stylesheet and the faces
 *
 * Bounds: a body over SERVER_BODY_MAX bytes gets 413 without being read
 * (a declared length) or stored (a chunked one); the connection limit and
 * timeout are the configuration's; one address over requests_per_minute
 * requests a minute gets 429; a full writer queue gets 503.
 */
#ifndef MINPING_SURVEY_SERVER_H
#define MINPING_SURVEY_SERVER_H

#include "err.h"
#include "store.h"
#include "survey_config.h"

typedef struct server server;

enum {
    SERVER_BODY_MAX = 8192,
    SERVER_QUEUE_MAX = 4096,
};

/* What the server needs from the signing key: the form-token key and the
 * salt of the hashes it keeps instead of cookies and addresses. */
typedef struct server_secrets {
    unsigned char token_key[32];
    unsigned char salt[32];
} server_secrets;

/* Starts serving cfg on listen ("ADDR:PORT"; port 0 picks a free one), the
 * votes going to s (used by the server's writer alone until server_stop).
 * *port receives the port bound.  Fails with a message (address in use,
 * not an address of this machine...). */
int server_start(const survey_config *cfg, const char *listen, store *s,
                 const server_secrets *secrets, server **out, int *port, mp_err *err);

/* Stops accepting connections, lets the requests in flight finish (up to
 * wait_s seconds), commits what is queued and frees the server. */
void server_stop(server *sv, int wait_s);

#endif
