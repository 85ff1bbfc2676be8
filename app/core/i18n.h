/* i18n.h - marks the messages a user reads, for translation.
 *
 * _("text") marks a message used where it stands; N_("text") marks one in a
 * static table (translated where it is printed, with _()).  The message ids
 * are English.  For now both give the text unchanged; gettext with zh_CN
 * catalogues will back _() here, without touching the callers.
 */
#ifndef MINPING_I18N_H
#define MINPING_I18N_H

#define _(s) (s)
#define N_(s) (s)

#endif
