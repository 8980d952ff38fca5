/* cli_tz.h - `--tz ZONE` and TZ in the CLI: local times beside UTC in the
 * tables of events, incidents and incident show, and in drafts. */
#ifndef CLI_TZ_H
#define CLI_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

struct iq_tz;

#define CLI_TZ_CELL 32     /* "2026-10-21 22:43:00 JST" and room */

/* The zone asked for: --tz, else $TZ when set and not empty.  *ret_name
 * is its name, or NULL when neither is given; *ret the loaded zone
 * (caller frees with iq_tz_free), or NULL when none is given or it is UTC
 * (nothing to show beside UTC).  0, or 2 with "inquest: CMD: --tz: unknown
 * time zone 'X' ..." printed. */
int cli_tz_open(const struct cli_ctx *ctx, const char *cmd, struct iq_tz **ret,
                const char **ret_name);

/* The local time of the RFC 3339 time s as "YYYY-MM-DD HH:MM:SS ABBR" into
 * buf (CLI_TZ_CELL bytes), or "-" when s is not a time. */
void cli_tz_cell(const struct iq_tz *z, const char *s, char *buf, size_t size);

/* The same for a time in UTC ms. */
void cli_tz_cell_ms(const struct iq_tz *z, int64_t ms, char *buf, size_t size);

#endif
