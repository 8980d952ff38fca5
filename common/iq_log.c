/* iq_log.c - the one logging module of inquest.
 *
 * Lines go to stderr, one write(2) each so lines from several threads do not
 * interleave.  Each line starts with a UTC timestamp, the program name and
 * pid, the level and the component tag ("store", "http", "zmq", ...).
 * Untrusted strings are the caller's to quote and truncate (see
 * iq_log_quote in iq_buf.h). */
#include "iq_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <time.h>

#include "iq_time.h"

int iq_log_level_current = IQ_LOG_INFO;
static const char *log_program = "inquest";
static const char *const level_names[] = { "error", "warn", "info", "debug" };

int iq_log_set_level(const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            iq_log_level_current = i;
            return 0;
        }
    }
    return -EINVAL;
}

void iq_log_set_program(const char *name)
{
    log_program = name;
}

void iq_log_write(int level, const char *comp, const char *fmt, ...)
{
    char line[2048];
    char ts[IQ_TIME_STRLEN];
    int n, m;
    va_list ap;

    iq_time_format(iq_time_now_ms(), ts, sizeof(ts));
    n = snprintf(line, sizeof(line), "%s %s[%d] %s %s: ", ts, log_program,
                 (int)getpid(), level_names[level < 0 ? 0 : level > 3 ? 3 : level], comp);
    if (n < 0 || (size_t)n >= sizeof(line))
        return;
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    n += m;
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, (size_t)n) < 0)
        return;
}
