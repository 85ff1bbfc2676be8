/* rubric.c - reading and checking the assessment rubric (see rubric.h). */
#include "rubric.h"

#include "i18n.h"
#include "rating.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { ITEMS_MAX = 1000, LINE_MAX_BYTES = 4096, VALUE_MAX_CHARS = 1000 };

struct rubric {
    char *label;
    char *title, *source;
    int year;
    int64_t total;
    rubric_settings settings;
    rubric_item *items;
    size_t n;
    char **strings; /* every string the items point to, freed at the end */
    size_t n_strings;
};

/* The category numerals, in order. */
static const char *const NUMERALS[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
enum { N_NUMERALS = sizeof NUMERALS / sizeof NUMERALS[0] };

static const char *const KIND_NAMES[] = {"category", "group", "score", "deduct",
                                         "count", "votes", "bonus"};
static const char *const KIND_ZH[] = {"分类", "小项合计", "评分", "扣分", "计数", "民主测评", "加分"};

const char *rubric_kind_name(rubric_kind k)
{
    return KIND_NAMES[k];
}

const char *rubric_kind_zh(rubric_kind k)
{
    return KIND_ZH[k];
}

/* ---- numbers ---- */

int rubric_parse_decimal(const char *s, int decimals, int64_t *out, mp_err *err)
{
    int64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9') {
        if (whole > 1000000000)
            return mp_fail(err, "\"%s\" is too large", s);
        whole = whole * 10 + (*p++ - '0');
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (fdigits == decimals)
                return mp_fail(err, "\"%s\" has more than %d decimals", s, decimals);
            frac = frac * 10 + (*p++ - '0');
            fdigits++;
        }
        if (fdigits == 0)
            return mp_fail(err, "\"%s\" is not a number like 12 or 1.5", s);
    }
    if (digits == 0 || *p != '\0')
        return mp_fail(err, "\"%s\" is not a number like 12 or 1.5", s);
    if (whole > 1000000000)
        return mp_fail(err, "\"%s\" is too large", s);
    int64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    for (int i = fdigits; i < decimals; i++)
        frac *= 10;
    *out = whole * scale + frac;
    return 0;
}

void rubric_fmt2(int64_t h, char *buf, size_t len)
{
    const char *sign = h < 0 ? "-" : "";
    if (h < 0)
        h = -h;
    snprintf(buf, len, "%s%" PRId64 ".%02" PRId64, sign, h / 100, h % 100);
}

void rubric_fmt(int64_t h, char *buf, size_t len)
{
    const char *sign = h < 0 ? "-" : "";
    if (h < 0)
        h = -h;
    if (h % 100 == 0)
        snprintf(buf, len, "%s%" PRId64, sign, h / 100);
    else if (h % 10 == 0)
        snprintf(buf, len, "%s%" PRId64 ".%" PRId64, sign, h / 100, (h % 100) / 10);
    else
        snprintf(buf, len, "%s%" PRId64 ".%02" PRId64, sign, h / 100, h % 100);
}

/* ---- the parser ---- */

typedef struct parser {
    const char *label;
    int line;
    rubric *r;
    int section;       /* 0 none, 1 [rubric], 2 [settings], 3 an entry */
    rubric_item *cur;
    char seen[32][24]; /* keys given in the current section */
    int n_seen;
    char *levels;      /* 五's levels, checked at the end */
    int levels_line;
    int have_ratio, have_bonus_max, have_grades;
    int seen_rubric, seen_settings;
} parser;

static int fail_at(parser *p, mp_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(parser *p, mp_err *err, const char *fmt, ...)
{
    char what[sizeof(mp_err)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, _(fmt), ap);
    va_end(ap);
    utf8_make_printable(what);
    return mp_fail(err, "%s, line %d: %s", p->label, p->line, what);
}

static char *keep(rubric *r, const char *s)
{
    char **more = realloc(r->strings, (r->n_strings + 1) * sizeof *more);
    if (!more)
        return NULL;
    r->strings = more;
    char *d = strdup(s);
    if (!d)
        return NULL;
    r->strings[r->n_strings++] = d;
    return d;
}

static void trim(char **s, char *end)
{
    while (**s == ' ' || **s == '\t')
        (*s)++;
    while (end > *s && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
}

/* Is id a category numeral?  Returns its index or -1. */
static int numeral(const char *s, size_t len)
{
    for (int i = 0; i < N_NUMERALS; i++)
        if (strlen(NUMERALS[i]) == len && memcmp(NUMERALS[i], s, len) == 0)
            return i;
    return -1;
}

/* Checks an entry id's form (一, 一.2, 一.2.3; numbers 1-99 without a
 * leading zero) and returns its depth, or 0 when malformed. */
static int id_depth(const char *id)
{
    const char *dot = strchr(id, '.');
    size_t head = dot ? (size_t)(dot - id) : strlen(id);
    if (numeral(id, head) < 0)
        return 0;
    int depth = 1;
    const char *p = dot;
    while (p) {
        p++;
        if (*p < '1' || *p > '9')
            return 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
        if (digits > 2 || (*p != '.' && *p != '\0'))
            return 0;
        depth++;
        p = *p == '.' ? p : NULL;
    }
    return depth <= 3 ? depth : 0;
}

static int start_entry(parser *p, const char *id, mp_err *err)
{
    rubric *r = p->r;
    p->n_seen = 0;
    p->cur = NULL;
    if (strcmp(id, "rubric") == 0 || strcmp(id, "settings") == 0) {
        int *seen = id[0] == 'r' ? &p->seen_rubric : &p->seen_settings;
        if ((*seen)++)
            return fail_at(p, err, "entry [%s] is given twice", id);
        p->section = id[0] == 'r' ? 1 : 2;
        return 0;
    }
    if (strlen(id) >= RUBRIC_ID_MAX)
        return fail_at(p, err, "entry [%s]: the id is too long", id);
    int depth = strcmp(id, "加分") == 0 ? 0 : id_depth(id);
    if (depth == 0 && strcmp(id, "加分") != 0)
        return fail_at(p, err,
                       "entry [%s]: not an id like 一, 二.4 or 二.2.1 (nor rubric, settings or "
                       "加分)",
                       id);
    if (rubric_find(r, id))
        return fail_at(p, err, "entry [%s] is given twice", id);
    if (r->n >= ITEMS_MAX)
        return fail_at(p, err, "more than 1000 entries");
    int parent = -1;
    if (depth >= 2) {
        char pid[RUBRIC_ID_MAX];
        snprintf(pid, sizeof pid, "%s", id);
        *strrchr(pid, '.') = '\0';
        parent = rubric_index(r, pid);
        if (parent < 0)
            return fail_at(p, err, "entry [%s] comes before its parent [%s]", id, pid);
    }
    rubric_item *more = realloc(r->items, (r->n + 1) * sizeof *more);
    if (!more)
        return mp_fail(err, "out of memory");
    r->items = more;
    rubric_item *it = &r->items[r->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->id, sizeof it->id, "%s", id);
    it->depth = depth;
    it->parent = parent;
    it->line = p->line;
    it->kind = depth == 1 ? RUBRIC_CATEGORY : RUBRIC_GROUP; /* until kind = says more */
    it->name = it->text = it->unit = "";
    it->points = RUBRIC_NO_POINTS;
    it->per_event = 0;
    for (int i = 0; i < UNITREG_TYPES; i++)
        it->target[i] = -1;
    p->cur = it;
    p->section = 3;
    return 0;
}

/* The value of a points-like field; fails naming the key. */
static int number_at(parser *p, const char *key, const char *v, int decimals, int64_t *out,
                     mp_err *err)
{
    mp_err e;
    if (rubric_parse_decimal(v, decimals, out, &e) < 0)
        return fail_at(p, err, "%s: %s", key, e.msg);
    return 0;
}

static int parse_grades(parser *p, const char *v, mp_err *err)
{
    rubric_settings *s = &p->r->settings;
    s->n_grades = 0;
    char buf[LINE_MAX_BYTES];
    snprintf(buf, sizeof buf, "%s", v);
    char *save = NULL;
    for (char *g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
        char *ge = strstr(g, ">=");
        if (!ge)
            return fail_at(p, err, "grades: \"%s\" is not like 优秀 >= 90", g);
        *ge = '\0';
        char *name = g, *num = ge + 2;
        trim(&name, ge);
        trim(&num, num + strlen(num));
        if (!*name || strlen(name) >= sizeof s->grades[0].name ||
            utf8_count_printable(name) < 0)
            return fail_at(p, err, "grades: \"%s\" is not a grade's name", name);
        if (s->n_grades == RUBRIC_GRADES_MAX)
            return fail_at(p, err, "grades: more than 8 grades");
        int64_t min;
        if (number_at(p, "grades", num, 2, &min, err) < 0)
            return -1;
        if (s->n_grades > 0 && min >= s->grades[s->n_grades - 1].min)
            return fail_at(p, err, "grades: list them from the highest threshold down (%s)",
                           name);
        snprintf(s->grades[s->n_grades].name, sizeof s->grades[0].name, "%s", name);
        s->grades[s->n_grades++].min = min;
    }
    if (s->n_grades == 0)
        return fail_at(p, err, "grades: no grade given");
    return 0;
}

static int parse_channels(parser *p, const char *v, mp_err *err)
{
    rubric_settings *s = &p->r->settings;
    s->n_channels = 0;
    s->all_channels = strcmp(v, "all") == 0;
    if (s->all_channels)
        return 0;
    char buf[LINE_MAX_BYTES];
    snprintf(buf, sizeof buf, "%s", v);
    char *save = NULL;
    for (char *c = strtok_r(buf, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        trim(&c, c + strlen(c));
        size_t n = strlen(c);
        if (n == 0 || n >= sizeof s->channels[0] || strspn(c, "abcdefghijklmnopqrstuvwxyz") != n)
            return fail_at(p, err, "votes_channels: \"%s\" is not a channel (kiosk, web, …)", c);
        if (s->n_channels == RUBRIC_CHANNELS_MAX)
            return fail_at(p, err, "votes_channels: more than 8 channels");
        snprintf(s->channels[s->n_channels++], sizeof s->channels[0], "%s", c);
    }
    if (s->n_channels == 0)
        return fail_at(p, err, "votes_channels: say all or list channels");
    return 0;
}

static int set_field(parser *p, const char *key, const char *v, mp_err *err)
{
    rubric *r = p->r;
    if (p->section == 0)
        return fail_at(p, err, "\"%s\" comes before the first [entry]", key);
    for (int i = 0; i < p->n_seen; i++)
        if (strcmp(p->seen[i], key) == 0)
            return fail_at(p, err, "%s is given twice in this entry", key);
    if (p->n_seen < 32 && strlen(key) < sizeof p->seen[0])
        snprintf(p->seen[p->n_seen++], sizeof p->seen[0], "%s", key);
    if (utf8_count_printable(v) < 0)
        return fail_at(p, err, "%s: the value is not UTF-8 text", key);
    if (utf8_count_printable(v) > VALUE_MAX_CHARS)
        return fail_at(p, err, "%s: the value is longer than 1000 characters", key);

    if (p->section == 1) {
        if (strcmp(key, "title") == 0)
            return (r->title = keep(r, v)) ? 0 : mp_fail(err, "out of memory");
        if (strcmp(key, "source") == 0)
            return (r->source = keep(r, v)) ? 0 : mp_fail(err, "out of memory");
        if (strcmp(key, "year") == 0) {
            int64_t y;
            if (number_at(p, key, v, 0, &y, err) < 0)
                return -1;
            if (y < 1970 || y > 9999)
                return fail_at(p, err, "year %s is not between 1970 and 9999", v);
            r->year = (int)y;
            return 0;
        }
        if (strcmp(key, "total") == 0)
            return number_at(p, key, v, 2, &r->total, err);
        if (strcmp(key, "period") == 0) {
            if (strcmp(v, "01-01..12-31") != 0)
                return fail_at(p, err,
                               "period: only 01-01..12-31 (1 January to 31 December) is supported");
            return 0;
        }
        if (strcmp(key, "floor") == 0 || strcmp(key, "heaviest") == 0 ||
            strcmp(key, "bonus") == 0 || strcmp(key, "scaling") == 0)
            return 0; /* the notice's wording of the rules, shown by rubric show */
        return fail_at(p, err, "[rubric] has no key \"%s\"", key);
    }
    if (p->section == 2) {
        rubric_settings *s = &r->settings;
        if (strcmp(key, "ratio") == 0) {
            if (number_at(p, key, v, 4, &s->ratio, err) < 0)
                return -1;
            if (s->ratio <= 0 || s->ratio > 1000000)
                return fail_at(p, err, "ratio %s: give a number above 0 and at most 100", v);
            p->have_ratio = 1;
            return 0;
        }
        if (strcmp(key, "bonus_max") == 0) {
            p->have_bonus_max = 1;
            return number_at(p, key, v, 2, &s->bonus_max, err);
        }
        if (strcmp(key, "grades") == 0) {
            p->have_grades = 1;
            return parse_grades(p, v, err);
        }
        if (strcmp(key, "votes_flagged") == 0) {
            if (strcmp(v, "exclude") != 0 && strcmp(v, "include") != 0)
                return fail_at(p, err, "votes_flagged: say exclude or include, not \"%s\"", v);
            s->include_flagged = v[0] == 'i';
            return 0;
        }
        if (strcmp(key, "votes_channels") == 0)
            return parse_channels(p, v, err);
        if (strcmp(key, "shortfall") == 0) {
            if (strcmp(v, "pro-rata") != 0)
                return fail_at(p, err, "shortfall: only pro-rata is supported, not \"%s\"", v);
            return 0;
        }
        return fail_at(p, err, "[settings] has no key \"%s\"", key);
    }

    rubric_item *it = p->cur;
    if (strcmp(key, "name") == 0) {
        if (it->depth != 1)
            return fail_at(p, err, "name: only a category (一 … 五) has a name");
        return (it->name = keep(r, v)) ? 0 : mp_fail(err, "out of memory");
    }
    if (strcmp(key, "text") == 0)
        return (it->text = keep(r, v)) ? 0 : mp_fail(err, "out of memory");
    if (strcmp(key, "unit") == 0)
        return (it->unit = keep(r, v)) ? 0 : mp_fail(err, "out of memory");
    if (strcmp(key, "points") == 0)
        return number_at(p, key, v, 2, &it->points, err);
    if (strcmp(key, "per_event") == 0)
        return number_at(p, key, v, 2, &it->per_event, err);
    if (strcmp(key, "kind") == 0) {
        static const rubric_kind kinds[] = {RUBRIC_SCORE, RUBRIC_DEDUCT, RUBRIC_COUNT,
                                            RUBRIC_VOTES, RUBRIC_BONUS};
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (strcmp(v, KIND_NAMES[kinds[i]]) == 0) {
                if ((kinds[i] == RUBRIC_BONUS) != (it->depth == 0))
                    return fail_at(p, err, "kind bonus is for the entry [加分] alone");
                it->kind = kinds[i];
                return 0;
            }
        return fail_at(p, err, "kind \"%s\": say score, deduct, count, votes or bonus", v);
    }
    if (strcmp(key, "levels") == 0) {
        free(p->levels);
        p->levels = strdup(v);
        p->levels_line = p->line;
        return p->levels ? 0 : mp_fail(err, "out of memory");
    }
    if (strcmp(key, "target") == 0 || strncmp(key, "target.", 7) == 0) {
        int64_t t;
        if (number_at(p, key, v, 0, &t, err) < 0)
            return -1;
        if (t <= 0)
            return fail_at(p, err, "%s: a target is at least 1", key);
        if (key[6] == '\0') {
            for (int i = 0; i < UNITREG_TYPES; i++)
                it->target[i] = t;
            return 0;
        }
        for (int i = 0; i < UNITREG_TYPES; i++)
            if (strcmp(key + 7, UNITREG_TYPE_NAMES[i]) == 0) {
                it->target[i] = t;
                return 0;
            }
        return fail_at(p, err, "%s: the unit type is not 乡镇, 县直机关, 垂直管理单位 or 公共企事业单位",
                       key);
    }
    return fail_at(p, err, "an entry has no key \"%s\"", key);
}

/* 五's levels must be the kiosk's: "非常满意 10, 基本满意 8, 一般 6, 不满意 0". */
static int check_levels(parser *p, mp_err *err)
{
    char want[160] = "";
    for (int i = 0; i < RATING_COUNT; i++) {
        size_t n = strlen(want);
        snprintf(want + n, sizeof want - n, "%s%s %d", i ? ", " : "", RATINGS[i].label,
                 RATINGS[i].points);
    }
    if (p->levels && strcmp(p->levels, want) != 0) {
        p->line = p->levels_line;
        return fail_at(p, err, "levels: the votes are scored %s; the rubric must say the same",
                       want);
    }
    return 0;
}

/* What every entry needs, once the whole file is read. */
static int finish(parser *p, mp_err *err)
{
    rubric *r = p->r;
    if (!r->title || !r->year || r->total <= 0) {
        p->line = 0;
        return mp_fail(err, "%s: [rubric] needs title, year and total", p->label);
    }
    if (!p->have_ratio || !p->have_bonus_max || !p->have_grades)
        return mp_fail(err, "%s: [settings] needs ratio, bonus_max and grades", p->label);
    int categories = 0, bonus = 0;
    for (size_t i = 0; i < r->n; i++) {
        rubric_item *it = &r->items[i];
        int has_children = 0;
        for (size_t j = i + 1; j < r->n; j++)
            if (r->items[j].parent == (int)i)
                has_children = 1;
        p->line = it->line;
        int leaf_kind = it->kind != RUBRIC_CATEGORY && it->kind != RUBRIC_GROUP;
        if (it->depth == 1) {
            categories++;
            if (!*it->name)
                return fail_at(p, err, "category [%s] needs a name", it->id);
        }
        if (it->depth == 0)
            bonus++;
        if (has_children && leaf_kind)
            return fail_at(p, err, "[%s] has sub-entries, so it takes no kind (%s)", it->id,
                           KIND_NAMES[it->kind]);
        if (!has_children && !leaf_kind)
            return fail_at(p, err, "[%s] needs a kind: score, deduct, count or votes", it->id);
        if (it->points == RUBRIC_NO_POINTS && it->kind != RUBRIC_DEDUCT &&
            it->kind != RUBRIC_BONUS)
            return fail_at(p, err, "[%s] needs points", it->id);
        if (it->kind == RUBRIC_DEDUCT) {
            if (it->per_event <= 0)
                return fail_at(p, err, "[%s] is a deduction: give per_event (points per event)",
                               it->id);
            if (it->points == RUBRIC_NO_POINTS && it->depth < 3)
                return fail_at(p, err,
                               "[%s]: a deduction without points must be a sub-item (its "
                               "deductions come off its item)",
                               it->id);
        } else if (it->per_event) {
            return fail_at(p, err, "[%s]: per_event is for deductions", it->id);
        }
        int targets = 0;
        for (int t = 0; t < UNITREG_TYPES; t++)
            targets += it->target[t] > 0;
        if (it->kind == RUBRIC_COUNT && targets == 0)
            return fail_at(p, err, "[%s] is a count: give target or target.<unit type>", it->id);
        if (it->kind != RUBRIC_COUNT && targets)
            return fail_at(p, err, "[%s]: targets are for count items", it->id);
        if (it->kind == RUBRIC_VOTES && it->depth != 1)
            return fail_at(p, err, "[%s]: the votes item must be a category (五)", it->id);
        if (it->kind == RUBRIC_BONUS && it->points != RUBRIC_NO_POINTS)
            return fail_at(p, err, "[加分]: the bonus has no points; its maximum is bonus_max");
    }
    if (categories == 0)
        return mp_fail(err, "%s: no category ([一] …)", p->label);
    if (bonus == 0)
        return mp_fail(err, "%s: no [加分] entry", p->label);
    return check_levels(p, err);
}

int rubric_parse(const char *label, const char *buf, size_t len, rubric **out, mp_err *err)
{
    *out = NULL;
    rubric *r = calloc(1, sizeof *r);
    if (!r)
        return mp_fail(err, "out of memory");
    r->label = strdup(label);
    r->source = "";
    r->settings.all_channels = 1;
    if (!r->label) {
        free(r);
        return mp_fail(err, "out of memory");
    }
    parser p = {.label = r->label, .r = r};
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    int rc = 0;
    size_t pos = 0;
    while (pos < len && rc == 0) {
        p.line++;
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
        if (n > 0 && buf[pos + n - 1] == '\r')
            n--;
        if (n >= LINE_MAX_BYTES) {
            rc = fail_at(&p, err, "the line is longer than 4095 bytes");
            break;
        }
        char line[LINE_MAX_BYTES];
        memcpy(line, buf + pos, n);
        line[n] = '\0';
        pos += (nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos);
        if (memchr(line, '\0', n) || memchr(line, '\r', strlen(line))) {
            rc = fail_at(&p, err, "a NUL byte or a stray carriage return in the line");
            break;
        }
        char *s = line;
        trim(&s, line + strlen(line));
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *end = s + strlen(s) - 1;
            if (*end != ']') {
                rc = fail_at(&p, err, "\"[\" without \"]\"");
                break;
            }
            *end = '\0';
            char *id = s + 1;
            trim(&id, end);
            if (utf8_count_printable(id) < 0) {
                rc = fail_at(&p, err, "the entry's id is not UTF-8 text");
                break;
            }
            rc = start_entry(&p, id, err);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = fail_at(&p, err, "not \"key = value\", a [entry] or a # comment");
            break;
        }
        *eq = '\0';
        char *key = s, *value = eq + 1;
        trim(&key, eq);
        trim(&value, value + strlen(value));
        if (!*key || !*value) {
            rc = fail_at(&p, err, "\"key = value\" with an empty key or value");
            break;
        }
        rc = set_field(&p, key, value, err);
    }
    if (rc == 0)
        rc = finish(&p, err);
    free(p.levels);
    if (rc < 0) {
        rubric_destroy(r);
        return -1;
    }
    *out = r;
    return 0;
}

int rubric_load(const char *path, rubric **out, mp_err *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return mp_fail(err, "cannot open the rubric %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > (off_t)RUBRIC_FILE_MAX) {
        close(fd);
        return mp_fail(err, "the rubric %s is not a regular file of at most 1 MiB", path);
    }
    size_t len = (size_t)sb.st_size;
    char *buf = malloc(len + 1);
    if (!buf) {
        close(fd);
        return mp_fail(err, "out of memory");
    }
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            free(buf);
            close(fd);
            return mp_fail(err, "cannot read the rubric %s: %s", path, strerror(e));
        }
        got += (size_t)n;
    }
    close(fd);
    int rc = rubric_parse(path, buf, len, out, err);
    free(buf);
    return rc;
}

void rubric_destroy(rubric *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_strings; i++)
        free(r->strings[i]);
    free(r->strings);
    free(r->items);
    free(r->label);
    free(r);
}

const char *rubric_title(const rubric *r) { return r->title; }
const char *rubric_source(const rubric *r) { return r->source; }
const char *rubric_label(const rubric *r) { return r->label; }
int rubric_year(const rubric *r) { return r->year; }
int64_t rubric_total(const rubric *r) { return r->total; }
const rubric_settings *rubric_get_settings(const rubric *r) { return &r->settings; }
size_t rubric_count(const rubric *r) { return r->n; }
const rubric_item *rubric_at(const rubric *r, size_t i) { return i < r->n ? &r->items[i] : NULL; }

int rubric_index(const rubric *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->items[i].id, id) == 0)
            return (int)i;
    return -1;
}

const rubric_item *rubric_find(const rubric *r, const char *id)
{
    int i = rubric_index(r, id);
    return i < 0 ? NULL : &r->items[i];
}

int rubric_takes(const rubric_item *it, const char *kind)
{
    switch (it->kind) {
    case RUBRIC_SCORE: return strcmp(kind, "score") == 0;
    case RUBRIC_DEDUCT: return strcmp(kind, "deduct") == 0;
    case RUBRIC_COUNT: return strcmp(kind, "count") == 0;
    case RUBRIC_BONUS: return strcmp(kind, "bonus") == 0;
    default: return 0;
    }
}

int64_t rubric_target(const rubric_item *it, const char *unit_type)
{
    if (!unit_type)
        return -1;
    for (int i = 0; i < UNITREG_TYPES; i++)
        if (strcmp(unit_type, UNITREG_TYPE_NAMES[i]) == 0)
            return it->target[i];
    return -1;
}

const char *rubric_grade_of(const rubric *r, int64_t total)
{
    for (int i = 0; i < r->settings.n_grades; i++)
        if (total >= r->settings.grades[i].min)
            return r->settings.grades[i].name;
    return "";
}

/* ---- what does not add up ---- */

int64_t rubric_attainable(const rubric *r, size_t index)
{
    const rubric_item *it = &r->items[index];
    int64_t sum = 0;
    int children = 0;
    for (size_t j = index + 1; j < r->n; j++) {
        if (r->items[j].parent != (int)index)
            continue;
        children++;
        if (r->items[j].points != RUBRIC_NO_POINTS)
            sum += rubric_attainable(r, j);
    }
    if (it->points == RUBRIC_NO_POINTS)
        return 0;
    if (children == 0 || sum > it->points)
        return it->points;
    return sum;
}

typedef struct findings {
    rubric_finding *v;
    size_t n;
    int oom;
} findings;

static void add_finding(findings *f, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_finding(findings *f, const char *id, const char *fmt, ...)
{
    rubric_finding *more = realloc(f->v, (f->n + 1) * sizeof *more);
    if (!more) {
        f->oom = 1;
        return;
    }
    f->v = more;
    rubric_finding *x = &f->v[f->n++];
    snprintf(x->id, sizeof x->id, "%s", id);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->msg, sizeof x->msg, fmt, ap);
    va_end(ap);
}

int rubric_check(const rubric *r, rubric_finding **out, size_t *n_out, mp_err *err)
{
    findings f = {NULL, 0, 0};
    int64_t categories = 0;
    char a[32], b[32], c[32];
    for (size_t i = 0; i < r->n; i++) {
        const rubric_item *it = &r->items[i];
        if (it->depth == 1)
            categories += it->points;
        /* The sub-entries' points, as "1 + 1 + 1 + 2", and the ones without. */
        char terms[256] = "", pointless[128] = "";
        int64_t sum = 0;
        int children = 0;
        for (size_t j = i + 1; j < r->n; j++) {
            const rubric_item *ch = &r->items[j];
            if (ch->parent != (int)i)
                continue;
            children++;
            if (ch->points == RUBRIC_NO_POINTS) {
                size_t k = strlen(pointless);
                snprintf(pointless + k, sizeof pointless - k, "%s%s", k ? ", " : "", ch->id);
                continue;
            }
            rubric_fmt(ch->points, a, sizeof a);
            size_t k = strlen(terms);
            snprintf(terms + k, sizeof terms - k, "%s%s", k ? " + " : "", a);
            sum += ch->points;
        }
        if (children == 0)
            continue;
        rubric_fmt(it->points, a, sizeof a);
        rubric_fmt(sum, b, sizeof b);
        rubric_fmt(rubric_attainable(r, i), c, sizeof c);
        if (*pointless)
            add_finding(&f, it->id,
                        _("%s is %s points, but its sub-items name %s = %s and a deduction "
                          "without points (%s), which comes off %s; at most %s can be earned"),
                        it->id, a, terms, b, pointless, it->id, c);
        else if (sum > it->points)
            add_finding(&f, it->id,
                        _("%s is %s points, but its sub-items add up to %s (%s); the item "
                          "counts at most %s"),
                        it->id, a, b, terms, a);
        else if (sum < it->points)
            add_finding(&f, it->id,
                        _("%s is %s points, but its sub-items add up to %s (%s); at most %s "
                          "can be earned"),
                        it->id, a, b, terms, c);
    }
    if (categories != r->total) {
        rubric_fmt(categories, a, sizeof a);
        rubric_fmt(r->total, b, sizeof b);
        add_finding(&f, "", _("the categories add up to %s, not the total %s"), a, b);
    }
    for (size_t i = 0; i < r->n; i++) {
        const rubric_item *it = &r->items[i];
        if (it->kind != RUBRIC_COUNT)
            continue;
        for (int t = 0; t < UNITREG_TYPES; t++)
            if (it->target[t] < 0)
                add_finding(&f, it->id,
                            _("%s names no target for %s (in the notice's scope): such a unit "
                              "gets no points for it until target.%s is set"),
                            it->id, UNITREG_TYPE_NAMES[t], UNITREG_TYPE_NAMES[t]);
    }
    if (f.oom) {
        free(f.v);
        return mp_fail(err, "out of memory");
    }
    *out = f.v;
    *n_out = f.n;
    return 0;
}
