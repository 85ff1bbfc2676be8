/* i18n.c - binds the message catalogue (see i18n.h). */
#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where the catalogues are: MINPING_LOCALEDIR_BUILD and _INSTALL come from
 * the build (CMakeLists.txt), MINPING_BUILD_ROOT is the build tree. */
static const char *catalogue_dir(void)
{
    const char *env = getenv("MINPING_LOCALEDIR");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    size_t root = strlen(MINPING_BUILD_ROOT);
    if (n > 0) {
        exe[n] = '\0';
        if ((size_t)n > root && strncmp(exe, MINPING_BUILD_ROOT, root) == 0 && exe[root] == '/')
            return MINPING_LOCALEDIR_BUILD;
    }
    return MINPING_LOCALEDIR_INSTALL;
}

void i18n_init(void)
{
    setlocale(LC_CTYPE, "");
    setlocale(LC_MESSAGES, "");
    bindtextdomain(MINPING_TEXTDOMAIN, catalogue_dir());
    bind_textdomain_codeset(MINPING_TEXTDOMAIN, "UTF-8");
    textdomain(MINPING_TEXTDOMAIN);
}
