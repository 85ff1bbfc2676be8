/* unitreg.h - the unit registry: which units are assessed, of what type,
 * and whom the office contacts there (the registration form, 登记表, annex 2
 * of the assessment notice).
 *
 * The registry is loaded from a CSV file (UTF-8, a byte-order mark and CRLF
 * line ends accepted, RFC 4180 quoting) whose first record names the
 * columns.  Columns may come in any order; 代码, 名称 and 类型 are required,
 * the others optional:
 *
 *   代码 (or 单位代码)       the unit code, as on the kiosks
 *   名称 (or 单位名称)       the unit's name (1-24 characters: the kiosk shows it)
 *   类型 (or 单位类型)       乡镇, 县直机关, 垂直管理单位 or 公共企事业单位
 *   分管领导, 分管领导职务, 分管领导电话
 *   责任科室, 科室负责人, 科室负责人职务, 科室负责人电话
 *   联系人1姓名, 联系人1办公电话, 联系人1手机, 联系人1电子邮箱, 联系人1QQ
 *   联系人2姓名, 联系人2办公电话, 联系人2手机, 联系人2电子邮箱, 联系人2QQ
 *
 * A record whose first field starts with '#' is a comment; a record of empty
 * fields is skipped.  The whole file is checked before anything is stored,
 * and it is stored in one transaction: all of it or nothing.  Every message
 * names the line.  A unit already registered is updated (its name too: the
 * registry is authoritative); a column the file does not have leaves that
 * detail as it was.
 */
#ifndef MINPING_UNITREG_H
#define MINPING_UNITREG_H

#include "err.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* The unit types of the assessment notice's scope, in its order. */
enum { UNITREG_TYPES = 4 };
extern const char *const UNITREG_TYPE_NAMES[UNITREG_TYPES];

/* Files larger than this are refused. */
#define UNITREG_FILE_MAX (16u << 20)

/* A registered unit whose name the file changed. */
typedef struct unitreg_rename {
    char *code;
    char *old_name;
    char *new_name;
    char *kiosks; /* the kiosks that serve it ("room-01, room-02"), "" if none */
} unitreg_rename;

typedef struct unitreg_result {
    int64_t units;            /* unit records in the file */
    int64_t added, updated, unchanged;
    unitreg_rename *renames;  /* n_renames of them, in file order */
    size_t n_renames;
} unitreg_result;

/* Checks the CSV text buf (label names it in messages) and stores it in the
 * office database db in one transaction.  On success *out (free with
 * unitreg_result_free) says what changed; on failure err names the line and
 * the problem and the database is unchanged. */
int unitreg_import(sqlite3 *db, const char *label, const char *buf, size_t len,
                   int64_t now_utc, unitreg_result *out, mp_err *err);

void unitreg_result_free(unitreg_result *r);

/* One registered unit with its details ("" for a detail not given; type is
 * "" for a unit known only from provisioning). */
typedef struct unitreg_unit {
    const char *code, *name, *type;
    const char *leader, *office, *contact1_name, *contact1_office_phone, *contact1_mobile;
} unitreg_unit;

typedef int (*unitreg_unit_fn)(void *user, const unitreg_unit *u);

/* Every registered unit, by code. */
int unitreg_each(sqlite3 *db, unitreg_unit_fn fn, void *user, mp_err *err);

/* A unit's registration form (登记表, annex 2), every detail of it ("" for
 * one not given). */
typedef struct unitreg_contact {
    const char *name, *office_phone, *mobile, *email, *qq;
} unitreg_contact;

typedef struct unitreg_form {
    const char *code, *name, *type;
    const char *leader, *leader_title, *leader_phone;                     /* 分管领导 */
    const char *office, *office_head, *office_head_title, *office_head_phone; /* 责任科室 */
    unitreg_contact contact[2];                                           /* 联系人1, 联系人2 */
} unitreg_form;

typedef int (*unitreg_form_fn)(void *user, const unitreg_form *f);

/* The form of unit `code`, or of every registered unit by code when code is
 * NULL.  *n gets the number of forms given to fn (0: no such unit).  fn's
 * strings live until it returns; a non-zero return stops with an error. */
int unitreg_each_form(sqlite3 *db, const char *code, unitreg_form_fn fn, void *user, size_t *n,
                      mp_err *err);

#endif
