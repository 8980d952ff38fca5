/* cli_tz.c - `--tz ZONE` and TZ for the CLI's tables and drafts (see
 * cli_tz.h).
 *
 * UTC stays the reference: a table keeps its UTC column and gains a LOCAL
 * one beside it, `incident show` puts the local time in parentheses after
 * each UTC time, and --json output is never changed.  The zone comes from
 * --tz, else TZ (as the C library reads it: a zoneinfo name, ":NAME", a
 * POSIX TZ string, or ":/path/to/a/zone/file"); a zone that does not
 * load is a usage error naming it, never a silent fallback to UTC.  The
 * conversion is common/iq_tz.c's, the process's TZ is only read. */
#include "cli_tz.h"
#include "cli_exit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_time.h"
#include "iq_tz.h"

int cli_tz_open(const struct cli_ctx *ctx, const char *cmd, struct iq_tz **ret,
                const char **ret_name)
{
    const char *env = getenv("TZ"), *name = ctx->tz ? ctx->tz : env && *env ? env : NULL;
    struct iq_tz *z = NULL;
    char err[256];

    *ret = NULL;
    *ret_name = name;
    if (!name)
        return 0;
    if (iq_tz_load(name, true, &z, err, sizeof(err)) < 0)
        return cli_usage("%s: %s: %s", cmd, ctx->tz ? "--tz" : "TZ", err);
    if (iq_tz_is_utc(z))
        iq_tz_free(&z);
    *ret = z;
    return 0;
}

void cli_tz_cell_ms(const struct iq_tz *z, int64_t ms, char *buf, size_t size)
{
    iq_tz_format(z, ms, true, buf, size);
}

void cli_tz_cell(const struct iq_tz *z, const char *s, char *buf, size_t size)
{
    int64_t ms;

    if (!s || iq_time_parse_rfc3339(s, strlen(s), &ms) < 0)
        snprintf(buf, size, "-");
    else
        cli_tz_cell_ms(z, ms, buf, size);
}
