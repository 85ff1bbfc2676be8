/* check_fsutil.c - careful files: writing whole or not at all, a name
 * created without replacing one, whole-file reads and their refusals, and
 * folders made and synced. */
#define _GNU_SOURCE
#include "testutil.h"
#include "fsutil.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The number of entries in dir besides . and .. (temporary files left?). */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void assert_content(const char *path, const char *want)
{
    size_t len;
    char *got = tu_read_file(path, &len);
    ck_assert_msg(got != NULL, "%s is missing", path);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(test_write_new)
{
    char *dir = tu_mkdtemp_in(tu_root), *p = tu_path(dir, "a.txt");
    mp_err err = {{0}};
    ck_assert_msg(fs_write_new(p, "first", 5, 0600, &err) == 0, "%s", err.msg);
    assert_content(p, "first");
    struct stat sb;
    ck_assert_int_eq(stat(p, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0600);
    ck_assert_int_eq(fs_write_new(p, "second", 6, 0600, &err), -1);
    ck_assert_msg(strstr(err.msg, "already exists"), "%s", err.msg);
    assert_content(p, "first");
    ck_assert_int_eq(entries(dir), 1); /* no temporary file left either way */
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_write_atomic)
{
    char *dir = tu_mkdtemp_in(tu_root), *p = tu_path(dir, "b.txt");
    mp_err err = {{0}};
    ck_assert_msg(fs_write_atomic(p, "one", 3, 0644, &err) == 0, "%s", err.msg);
    assert_content(p, "one");
    ck_assert_msg(fs_write_atomic(p, "", 0, 0644, &err) == 0, "%s", err.msg);
    assert_content(p, "");
    ck_assert_int_eq(entries(dir), 1);
    char *missing = tu_path(dir, "no/such/folder/c.txt");
    ck_assert_int_eq(fs_write_atomic(missing, "x", 1, 0644, &err), -1);
    ck_assert_msg(strstr(err.msg, "cannot create"), "%s", err.msg);
    free(missing);
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_add_name)
{
    char *dir = tu_mkdtemp_in(tu_root), *a = tu_path(dir, "a"), *b = tu_path(dir, "b"),
         *c = tu_path(dir, "c");
    tu_write_file(a, "A", 1);
    tu_write_file(c, "C", 1);
    ck_assert_int_eq(fs_add_name(AT_FDCWD, a, b), 0);
    assert_content(b, "A");
    /* Never replaces: c keeps its bytes and the call says EEXIST. */
    errno = 0;
    ck_assert_int_eq(fs_add_name(AT_FDCWD, a, c), -1);
    ck_assert_int_eq(errno, EEXIST);
    assert_content(c, "C");
    /* Relative to a folder descriptor. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(dfd, 0);
    ck_assert_int_eq(fs_add_name(dfd, "c", "d"), 0);
    close(dfd);
    char *d = tu_path(dir, "d");
    assert_content(d, "C");
    free(a);
    free(b);
    free(c);
    free(d);
    free(dir);
}
END_TEST

START_TEST(test_read_file)
{
    char *dir = tu_mkdtemp_in(tu_root), *p = tu_path(dir, "r.txt"), *link = tu_path(dir, "l"),
         *fifo = tu_path(dir, "f"), *none = tu_path(dir, "none");
    tu_write_file(p, "hello\0world", 11);
    char *buf;
    size_t len;
    mp_err err = {{0}};
    ck_assert_int_eq(fs_read_file(p, 100, 0, &buf, &len, &err), 1);
    ck_assert_uint_eq(len, 11);
    ck_assert_int_eq(memcmp(buf, "hello\0world", 12), 0); /* NUL after the bytes */
    free(buf);

    /* Exactly max bytes is fine, one more is not. */
    ck_assert_int_eq(fs_read_file(p, 11, 0, &buf, &len, &err), 1);
    free(buf);
    ck_assert_int_eq(fs_read_file(p, 10, 0, &buf, &len, &err), -1);
    ck_assert_str_eq(err.msg, "is larger than 10 bytes");
    ck_assert_ptr_null(buf);

    ck_assert_int_eq(fs_read_file(none, 100, 0, &buf, &len, &err), -1);
    ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
    ck_assert_int_eq(fs_read_file(none, 100, FS_READ_MISSING_OK, &buf, &len, &err), 0);
    ck_assert_ptr_null(buf);
    ck_assert_uint_eq(len, 0);

    ck_assert_int_eq(symlink(p, link), 0);
    ck_assert_int_eq(fs_read_file(link, 100, 0, &buf, &len, &err), -1);
    ck_assert_str_eq(err.msg, "is a symbolic link; not reading it");
    ck_assert_int_eq(fs_read_file(link, 100, FS_READ_FOLLOW, &buf, &len, &err), 1);
    ck_assert_uint_eq(len, 11);
    free(buf);

    /* A large file (8 MiB and more goes into huge-page memory) of an odd
     * length, read whole, every byte in place, NUL after. */
    size_t big = ((size_t)8 << 20) + 4097;
    char *want = malloc(big);
    ck_assert_ptr_nonnull(want);
    for (size_t i = 0; i < big; i++)
        want[i] = (char)(i * 2654435761u >> 13);
    char *bigp = tu_path(dir, "big.bin");
    tu_write_file(bigp, want, big);
    ck_assert_int_eq(fs_read_file(bigp, big, 0, &buf, &len, &err), 1);
    ck_assert_uint_eq(len, big);
    ck_assert_int_eq(memcmp(buf, want, big), 0);
    ck_assert_int_eq(buf[big], '\0');
    free(buf);
    ck_assert_int_eq(fs_read_file(bigp, big - 1, 0, &buf, &len, &err), -1);
    ck_assert_str_eq(err.msg, "is larger than 8 MiB");
    ck_assert_int_eq(unlink(bigp), 0);
    free(bigp);
    free(want);

    /* Neither a folder nor a FIFO (which would block a plain open). */
    ck_assert_int_eq(fs_read_file(dir, 100, 0, &buf, &len, &err), -1);
    ck_assert_str_eq(err.msg, "is not a regular file");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(fs_read_file(fifo, 100, 0, &buf, &len, &err), -1);
    ck_assert_str_eq(err.msg, "is not a regular file");
    free(p);
    free(link);
    free(fifo);
    free(none);
    free(dir);
}
END_TEST

START_TEST(test_sync_dir_and_mkdir)
{
    char *dir = tu_mkdtemp_in(tu_root), *deep = tu_path(dir, "x/y/z"),
         *file = tu_path(dir, "file"), *under = tu_path(dir, "file/sub");
    mp_err err = {{0}};
    ck_assert_msg(fs_mkdir_p(deep, &err) == 0, "%s", err.msg);
    struct stat sb;
    ck_assert_int_eq(stat(deep, &sb), 0);
    ck_assert(S_ISDIR(sb.st_mode));
    ck_assert_msg(fs_mkdir_p(deep, &err) == 0, "again: %s", err.msg);
    tu_write_file(file, "", 0);
    ck_assert_int_eq(fs_mkdir_p(under, &err), -1);
    ck_assert_int_eq(fs_mkdir_p("", &err), -1);
    ck_assert_str_eq(err.msg, "no folder given");

    ck_assert_int_eq(fs_sync_dir_of(file), 0);
    char *gone = tu_path(dir, "gone/f");
    errno = 0;
    ck_assert_int_eq(fs_sync_dir_of(gone), -1);
    ck_assert_int_eq(errno, ENOENT);
    free(gone);
    free(deep);
    free(file);
    free(under);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fsutil");
    TCase *tc = tcase_create("fsutil");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_test(tc, test_write_new);
    tcase_add_test(tc, test_write_atomic);
    tcase_add_test(tc, test_add_name);
    tcase_add_test(tc, test_read_file);
    tcase_add_test(tc, test_sync_dir_and_mkdir);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
