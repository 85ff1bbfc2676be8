/* exporter.c - where an export goes, and what to tell staff about it. */
#include "exporter.h"
#include "export.h"
#include "followup.h"
#include "log.h"
#include "media.h"
#include "sign.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Puts the likely cause of a failed write into Chinese. */
static void explain(const char *dir, int64_t votes, char *zh, size_t len, const char *detail)
{
    struct stat st;
    struct statvfs vfs;
    if (stat(dir, &st) != 0)
        snprintf(zh, len, "导出失败：找不到 %.400s（U盘可能已拔出）。请重新插入U盘后再试。", dir);
    else if (!S_ISDIR(st.st_mode))
        snprintf(zh, len, "导出失败：%.400s 不是文件夹。", dir);
    else if (access(dir, W_OK) != 0)
        snprintf(zh, len, "导出失败：%.400s 不可写入（U盘可能处于只读状态）。", dir);
    else if (statvfs(dir, &vfs) == 0 &&
             (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize < (votes + 2) * 200)
        snprintf(zh, len, "导出失败：%.400s 空间不足，请更换U盘或清理空间后再试。", dir);
    else
        snprintf(zh, len, "导出失败：%.400s", detail);
}

int exporter_run(const kiosk_config *cfg, store *s, const char *dir, int64_t now_utc,
                 exporter_result *res, mp_err *err)
{
    memset(res, 0, sizeof *res);
    char found[4096];
    if (!dir)
        dir = cfg->export_dir;
    if (!dir) {
        if (media_find(MEDIA_ROOTS, found, sizeof found, err) < 0) {
            snprintf(res->zh, sizeof res->zh, "未找到U盘。请插入U盘，稍等几秒后再点“导出”。");
            return -1;
        }
        dir = found;
    }
    if (!cfg->signing_key_path) {
        snprintf(res->zh, sizeof res->zh,
                 "本机未配置签名密钥，不能导出。请联系县电子政务办重新配置本机。");
        return mp_fail(err, "%s: [kiosk] signing_key is not set; re-provision this kiosk",
                       cfg->path);
    }
    sign_key key;
    if (sign_key_load(cfg->signing_key_path, &key, err) < 0) {
        snprintf(res->zh, sizeof res->zh,
                 "本机的签名密钥无法读取，不能导出。请联系县电子政务办。");
        return -1;
    }
    int64_t votes = 0;
    if (store_vote_count(s, &votes, err) < 0) {
        sign_key_wipe(&key);
        snprintf(res->zh, sizeof res->zh, "导出失败：无法读取评价数据库。");
        return -1;
    }
    /* The highest seq before the export: votes after it are "since the last
     * export" (one cast while the file is written counts there, to be safe). */
    int64_t max_seq = 0;
    mp_err why;
    int have_seq = store_max_seq(s, &max_seq, &why) == 0;
    /* The reasons citizens gave go with the votes (format 2) once there are
     * any; until then the file stays format 1. */
    int64_t followups = 0;
    if (followup_count(s, &followups, err) < 0) {
        sign_key_wipe(&key);
        snprintf(res->zh, sizeof res->zh, "导出失败：无法读取评价数据库。");
        return -1;
    }
    char *path = NULL;
    int rc = followups > 0 ? export_write_v2(s, cfg, &key, dir, now_utc, &res->followups, &path,
                                             &res->rows, err)
                           : export_write(s, cfg, &key, dir, now_utc, &path, &res->rows, err);
    sign_key_wipe(&key);
    if (rc < 0) {
        explain(dir, votes, res->zh, sizeof res->zh, err->msg);
        log_error("export to %s failed: %s", dir, err->msg);
        return -1;
    }
    snprintf(res->path, sizeof res->path, "%s", path);
    free(path);
    if (res->followups > 0)
        snprintf(res->zh, sizeof res->zh, "已导出 %lld 票（全部评价记录）及 %lld 条原因到：%.400s",
                 (long long)res->rows, (long long)res->followups, res->path);
    else
        snprintf(res->zh, sizeof res->zh, "已导出 %lld 票（全部评价记录）到：%.400s",
                 (long long)res->rows, res->path);
    log_info("export written: %s (%lld votes, %lld follow-ups)", res->path, (long long)res->rows,
             (long long)res->followups);
    if (!have_seq || store_note_export(s, now_utc, max_seq, &why) < 0)
        log_warn("the export is written but not noted for the health report: %s", why.msg);
    return 0;
}
