/* hexid.c - checks of hex identifiers (hexid.h). */
#include "hexid.h"

/* The lowercase hex digits, as a table: a vote's uuid is checked on every
 * import of its file. */
static int is_hex(char c)
{
    static const unsigned char hex[256] = {
        ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
        ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    };
    return hex[(unsigned char)c];
}

int hexid_is_lower(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_hex(s[i]))
            return 0;
    return 1;
}

int hexid_is_uuid(const char *s, size_t n)
{
    if (n != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return 0;
    return hexid_is_lower(s, 8) && hexid_is_lower(s + 9, 4) && hexid_is_lower(s + 14, 4) &&
           hexid_is_lower(s + 19, 4) && hexid_is_lower(s + 24, 12);
}
