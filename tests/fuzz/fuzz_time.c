/* fuzz_time.c - libFuzzer harness of the time parsers (common/iq_time.c:
 * RFC 3339 strict and lenient, durations, --since/--until arguments,
 * formatting; ingest/in_tail/tail_time.c: the log formats) and of the size
 * parser of the config (common/iq_conf.c).
 *
 * Each input is one time or duration text, given to every parser.  Checked:
 * parsers answer 0 or -EINVAL only; what the strict parser accepts the
 * lenient one accepts with the same value; a strict time of years 1 to
 * 9999 formats to a text that parses back to the same millisecond; the
 * first eight bytes, read as a time within the range the codec accepts,
 * format without overflow (UBSan watches the civil-date arithmetic). */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "tail_rule.h"
#include "iq_conf.h"
#include "iq_time.h"

#define FUZZ_NOW INT64_C(1792590120000)            /* 2026-10-21T13:42:00Z */
#define YEAR1_MS INT64_C(-62135596800000)          /* 0001-01-01T00:00:00Z */
#define YEAR10000_MS INT64_C(253402300800000)      /* 10000-01-01T00:00:00Z */

/* Format ms both ways; the text is NUL-terminated within the buffer. */
static void check_format(int64_t ms)
{
    char buf[IQ_TIME_STRLEN], minute[IQ_TIME_STRLEN];

    iq_time_format(ms, buf, sizeof(buf));
    iq_time_format_minute(ms, minute, sizeof(minute));
    FUZZ_CHECK(memchr(buf, '\0', sizeof(buf)) && memchr(minute, '\0', sizeof(minute)));
}

static void check_rfc3339(const char *s, size_t len)
{
    int64_t strict = 0, lenient = 0, back = 0;
    char buf[IQ_TIME_STRLEN];
    int r1 = iq_time_parse_rfc3339(s, len, &strict);
    int r2 = iq_time_parse_lenient(s, len, &lenient);

    FUZZ_CHECK(r1 == 0 || r1 == -EINVAL);
    FUZZ_CHECK(r2 == 0 || r2 == -EINVAL);
    if (r1 == 0)
        FUZZ_CHECK(r2 == 0 && lenient == strict);
    if (r2 == 0)
        check_format(lenient);
    if (r1 == 0 && strict >= YEAR1_MS && strict < YEAR10000_MS) {
        iq_time_format(strict, buf, sizeof(buf));
        FUZZ_CHECK(iq_time_parse_rfc3339(buf, strlen(buf), &back) == 0);
        FUZZ_CHECK(back == strict);
    }
}

static void check_log_formats(const char *s, size_t len)
{
    for (size_t f = 0; f < tail_timefmt_count(); f++) {
        int64_t ms = 0;
        int r = tail_time_parse((enum tail_timefmt)f, s, len, FUZZ_NOW, &ms);

        FUZZ_CHECK(r == 0 || r == -EINVAL);
        if (r == 0 && ms > INT64_MIN / 2 && ms < INT64_MAX / 2)
            check_format(ms);
    }
}

/* Parsers of NUL-terminated text: durations, time arguments, sizes. */
static void check_cstr(const char *cs)
{
    int64_t v = 0;
    int r;

    r = iq_duration_parse(cs, &v);
    FUZZ_CHECK(r == 0 || r == -EINVAL);
    FUZZ_CHECK(r != 0 || v >= 0);
    r = iq_time_parse_arg(cs, &v);
    FUZZ_CHECK(r == 0 || r == -EINVAL);
    r = iq_size_parse(cs, &v);
    FUZZ_CHECK(r == 0 || r == -EINVAL);
    FUZZ_CHECK(r != 0 || v >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *cs;

    if (size > 4096)
        return 0;
    check_rfc3339((const char *)data, size);
    check_log_formats((const char *)data, size);
    cs = fuzz_cstr(data, size);
    check_cstr(cs);
    free(cs);
    if (size >= 8) {
        int64_t ms;

        memcpy(&ms, data, sizeof(ms));
        if (ms >= INT64_MIN / 2 && ms <= INT64_MAX / 2)   /* iq_codec.c's range */
            check_format(ms);
    }
    return 0;
}
