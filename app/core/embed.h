/* embed.h - text files compiled into the binaries (see db/embed.cmake). */
#ifndef MINPING_EMBED_H
#define MINPING_EMBED_H

struct embed_file {
    const char *name; /* file name, e.g. "001-init.sql"; NULL ends the table */
    const char *text;
};

/* Kiosk database migrations (db/kiosk/NNN-*.sql), in order. */
extern const struct embed_file kiosk_migrations[];
/* Office database migrations (db/office/NNN-*.sql), in order. */
extern const struct embed_file office_migrations[];
/* The demo configuration (assets/demo-kiosk.ini); one entry. */
extern const struct embed_file demo_config[];

#endif
