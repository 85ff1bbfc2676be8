/* i18n.h - the messages people read, in their language (GNU gettext).
 *
 * Every message a person reads on the command line (errors, warnings,
 * progress, summaries, --help) is written in English in the source and
 * looked up in the "minping" catalogue of the user's locale: LANGUAGE,
 * LC_ALL, LC_MESSAGES and LANG choose, as for every gettext program, so a
 * zh_CN.UTF-8 desktop gets Chinese and a C locale gets the English text.
 * The catalogues are po/<lang>.po, compiled by the build.
 *
 *   _("text")           a message, translated where it is used
 *   N_("text")          marks a message in a static table; translate it with
 *                       _() where it is printed
 *   P_("one", "many", n) a message that depends on a count (ngettext)
 *
 * mp_fail, mp_wrap, office_fail and office_usage translate their format
 * themselves: their format strings are catalogue entries as they stand.
 * Log lines (log_info/log_warn/log_error, read by technicians in journald)
 * stay in English.
 */
#ifndef MINPING_I18N_H
#define MINPING_I18N_H

#include <libintl.h>

#define MINPING_TEXTDOMAIN "minping"

#define _(s) dgettext(MINPING_TEXTDOMAIN, s)
#define N_(s) (s)
#define P_(one, many, n) dngettext(MINPING_TEXTDOMAIN, one, many, n)

/* Sets the program's message language from the environment (LC_MESSAGES
 * and LC_CTYPE only: numbers and times keep the C conventions the file
 * formats need) and binds the catalogue: $MINPING_LOCALEDIR when set, the
 * build tree's catalogues for a program run from the build tree, else the
 * installed ones.  Never fails: without a catalogue the English text shows. */
void i18n_init(void);

#endif
