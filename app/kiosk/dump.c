/* dump.c - JSON writer for the ui-dump file. */
#include "dump.h"
#include "fsutil.h"

#include <stdio.h>
#include <stdlib.h>

static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

int dump_write(const char *path, const char *screen, const char *mode, unsigned serial, int win_w, int win_h,
               const ui_element *el, int n, mp_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return mp_fail(err, "out of memory");
    fputs("{\"screen\": ", f);
    put_json_string(f, screen);
    fputs(", \"mode\": ", f);
    put_json_string(f, mode);
    fprintf(f, ", \"serial\": %u, \"window\": {\"w\": %d, \"h\": %d}, \"elements\": [", serial,
            win_w, win_h);
    for (int i = 0; i < n; i++) {
        fputs(i ? ",\n  {\"id\": " : "\n  {\"id\": ", f);
        put_json_string(f, el[i].id);
        fputs(", \"label\": ", f);
        put_json_string(f, el[i].label);
        fprintf(f, ", \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"enabled\": %s}", el[i].r.x,
                el[i].r.y, el[i].r.w, el[i].r.h, el[i].enabled ? "true" : "false");
    }
    fputs("]}\n", f);
    if (fclose(f) != 0) {
        free(buf);
        return mp_fail(err, "out of memory");
    }
    int rc = fs_write_atomic(path, buf, len, 0644, err);
    free(buf);
    return rc;
}
