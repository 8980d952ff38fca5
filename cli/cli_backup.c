/* cli_backup.c - `inquest backup DIR` makes a consistent copy of the store,
 * taken while inquestd runs, that inquestd opens as it is (a restore is
 * starting inquestd with --data DIR; docs/operations.md, "Backup and
 * restore").
 *
 * Only the process that has the store open may checkpoint it, so:
 *  - when inquestd has --data open (it holds the RocksDB LOCK), the CLI
 *    asks it: POST {--http}/api/v1/admin/backup with the admin token of
 *    INQUEST_TOKEN or --token-file, and the daemon writes DIR;
 *  - when no process has --data open, the CLI opens the store itself and
 *    writes DIR (nothing can change the store meanwhile);
 *  - when --data holds no store, the daemon at --http is asked, if a
 *    token was given (a daemon on another directory or host).
 * DIR is a path on the host that writes it; a relative one is taken from
 * the current directory.  It must not exist, or be an empty directory; its
 * parent must exist.  Prints one line with the size of the copy.  Exit
 * status 0 when the copy is complete, 2 otherwise (nothing half-written:
 * RocksDB builds the copy under DIR.tmp and renames it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_exit.h"
#include "store.h"
#include "iq_curl.h"
#include "iq_event.h"

#define ANSWER_MAX (16 * 1024)
#define BACKUP_TIMEOUT_MS (30L * 60 * 1000)

static void print_done(const char *dir, uint64_t files, uint64_t bytes, long long ms, int format)
{
    printf("backup written to %s: %llu files, %llu bytes, data format %d, in %lld ms\n", dir,
           (unsigned long long)files, (unsigned long long)bytes, format, ms);
}

/* Make dir absolute against the current directory, into buf. */
static int absolute(const char *dir, char *buf, size_t size)
{
    char cwd[4096];

    if (dir[0] == '/')
        return (size_t)snprintf(buf, size, "%s", dir) < size ? 0 : -ENAMETOOLONG;
    if (!getcwd(cwd, sizeof(cwd)))
        return -errno;
    return (size_t)snprintf(buf, size, "%s/%s", cwd, dir) < size ? 0 : -ENAMETOOLONG;
}

/* No process has the store open: checkpoint it here. */
static int backup_local(const struct cli_ctx *ctx, const char *dir)
{
    struct store_opts o = { 0 };
    struct store_backup_info info;
    struct store *st = NULL;
    int r = store_open(ctx->data_dir, &o, &st);

    if (r < 0) {
        fprintf(stderr, "inquest: backup: cannot open the store in %s: %s\n", ctx->data_dir,
                strerror(-r));
        return CLI_EXIT_UNAVAILABLE;
    }
    r = store_backup(st, dir, &info);
    store_close(&st);
    if (r < 0) {
        fprintf(stderr, "inquest: backup: %s: %s\n", dir, store_backup_strerror(r));
        return 2;
    }
    print_done(dir, info.files, info.bytes, (long long)info.took_ms, info.format);
    return 0;
}

/* Ask inquestd at --http. */
static int backup_http(const struct cli_ctx *ctx, const char *dir)
{
    struct iq_post p = { .bearer = ctx->token, .cacert = ctx->cacert,
                         .timeout_ms = BACKUP_TIMEOUT_MS, .max_answer = ANSWER_MAX };
    json_t *req = json_pack("{s:s}", "dir", dir), *j = NULL;
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL, *url = NULL, *answer = NULL;
    const char *base = ctx->http_url, *why;
    size_t bl = strlen(base);
    char err[256] = "out of memory";
    long status = 0;
    int r = -ENOMEM, exit_status = 2;

    while (bl && base[bl - 1] == '/')
        bl--;
    if (body && asprintf(&url, "%.*s/api/v1/admin/backup", (int)bl, base) >= 0) {
        p.url = url;
        p.body = body;
        p.len = strlen(body);
        r = iq_http_post(&p, &status, &answer, err, sizeof(err));
    }
    if (r < 0) {
        fprintf(stderr, "inquest: backup: cannot reach inquestd at %s: %s\n", base, err);
        goto out;
    }
    j = answer ? json_loads(answer, 0, NULL) : NULL;
    if (status != 200) {
        why = json_string_value(json_object_get(j, "error"));
        fprintf(stderr, "inquest: backup: refused by inquestd (HTTP %ld): %s\n", status,
                why ? why : answer ? answer : "no reason given");
        goto out;
    }
    print_done(dir, (uint64_t)json_integer_value(json_object_get(j, "files")),
               (uint64_t)json_integer_value(json_object_get(j, "bytes")),
               (long long)json_integer_value(json_object_get(j, "took_ms")),
               (int)json_integer_value(json_object_get(j, "format")));
    exit_status = 0;
out:
    json_decref(j);
    json_decref(req);
    free(answer);
    free(url);
    free(body);
    return exit_status;
}

int cli_backup_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    char dir[4096];
    int owner;

    if (argc != 2 || argv[1][0] == '-')
        return cli_usage("backup: usage: backup DEST (a directory that does not exist or is empty)");
    if (absolute(argv[1], dir, sizeof(dir)) < 0)
        return cli_usage("backup: %s: path too long", argv[1]);
    owner = store_lock_owner(ctx->data_dir);
    if (owner == 0)
        return backup_local(ctx, dir);
    if (owner > 0 && !ctx->token) {
        fprintf(stderr, "inquest: backup: inquestd (pid %d) has %s open: it takes the backup "
                "itself when asked with an admin token (INQUEST_TOKEN or --token-file, and "
                "--http URL)\n", owner, ctx->data_dir);
        return 2;
    }
    if (owner < 0 && owner != -ENOENT) {
        fprintf(stderr, "inquest: backup: %s: %s\n", ctx->data_dir, strerror(-owner));
        return 2;
    }
    if (!ctx->token) {
        fprintf(stderr, "inquest: backup: no store in %s; to back up a running inquestd, give "
                "an admin token (INQUEST_TOKEN or --token-file) and --http URL\n", ctx->data_dir);
        return 2;
    }
    return backup_http(ctx, dir);
}
