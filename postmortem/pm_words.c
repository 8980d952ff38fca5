/* pm_words.c - due dates, item states, document statuses and tickets as
 * people write them in finished postmortems (see pm_words.h).
 *
 * Design notes:
 * - Words are matched at the start of a value, longest phrase first, so
 *   "Done (merged 2 Nov)" and "won't fix: replaced by ..." read as done and
 *   wontfix; ASCII letters fold case, other bytes (Japanese, check marks)
 *   compare exactly.  An ASCII phrase must end at a word boundary, so
 *   "doneness" is not "done".
 * - Dates are scanned left to right and the first valid one wins: a due
 *   cell or "due:" value often holds a date and a remark ("2026-12-01
 *   (moved from Nov)").  A day that does not exist is not a date, and a
 *   number glued to letters or digits (OPS-2026, v2026.11) is not one
 *   either.
 * - Tickets: a label ("Ticket: X") says it best; then an issue URL; then a
 *   tracker key (OPS-412) other than well-known non-ticket prefixes (SEV-1,
 *   UTF-8, SHA-256); then a GitHub "#123". */
#include "pm_words.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "iq_time.h"

static const char *const state_names[PM_STATE_N] = { "open", "done", "wontfix" };
static const char *const status_names[PM_STATUS_N] = { "draft", "in-review", "published" };

struct phrase {
    const char *text;
    int value;
};

/* Item states, longest first where one is a prefix of another. */
static const struct phrase states[] = {
    { "won't fix", PM_STATE_WONTFIX }, { "won\u2019t fix", PM_STATE_WONTFIX },
    { "wont fix", PM_STATE_WONTFIX },  { "wontfix", PM_STATE_WONTFIX },
    { "will not fix", PM_STATE_WONTFIX }, { "won't do", PM_STATE_WONTFIX },
    { "won\u2019t do", PM_STATE_WONTFIX }, { "wont do", PM_STATE_WONTFIX },
    { "will not do", PM_STATE_WONTFIX }, { "not doing", PM_STATE_WONTFIX },
    { "dropped", PM_STATE_WONTFIX },   { "cancelled", PM_STATE_WONTFIX },
    { "canceled", PM_STATE_WONTFIX },  { "rejected", PM_STATE_WONTFIX },
    { "obsolete", PM_STATE_WONTFIX },  { "declined", PM_STATE_WONTFIX },
    { "見送り", PM_STATE_WONTFIX },    { "対応しない", PM_STATE_WONTFIX },
    { "中止", PM_STATE_WONTFIX },      { "却下", PM_STATE_WONTFIX },
    { "不要", PM_STATE_WONTFIX },      { "取り下げ", PM_STATE_WONTFIX },
    { "not started", PM_STATE_OPEN },  { "in progress", PM_STATE_OPEN },
    { "in-progress", PM_STATE_OPEN },  { "to do", PM_STATE_OPEN },
    { "to-do", PM_STATE_OPEN },        { "todo", PM_STATE_OPEN },
    { "open", PM_STATE_OPEN },         { "ongoing", PM_STATE_OPEN },
    { "started", PM_STATE_OPEN },      { "pending", PM_STATE_OPEN },
    { "blocked", PM_STATE_OPEN },      { "planned", PM_STATE_OPEN },
    { "wip", PM_STATE_OPEN },          { "no", PM_STATE_OPEN },
    { "[ ]", PM_STATE_OPEN },          { "\u2610", PM_STATE_OPEN },
    { "未着手", PM_STATE_OPEN },       { "未完了", PM_STATE_OPEN },
    { "未対応", PM_STATE_OPEN },       { "対応中", PM_STATE_OPEN },
    { "進行中", PM_STATE_OPEN },       { "作業中", PM_STATE_OPEN },
    { "保留", PM_STATE_OPEN },         { "予定", PM_STATE_OPEN },
    { "着手", PM_STATE_OPEN },
    { "done", PM_STATE_DONE },         { "completed", PM_STATE_DONE },
    { "complete", PM_STATE_DONE },     { "closed", PM_STATE_DONE },
    { "fixed", PM_STATE_DONE },        { "resolved", PM_STATE_DONE },
    { "finished", PM_STATE_DONE },     { "shipped", PM_STATE_DONE },
    { "merged", PM_STATE_DONE },       { "implemented", PM_STATE_DONE },
    { "yes", PM_STATE_DONE },          { "[x]", PM_STATE_DONE },
    { "x", PM_STATE_DONE },            { "\u2713", PM_STATE_DONE },
    { "\u2714", PM_STATE_DONE },       { "\u2705", PM_STATE_DONE },
    { "\u2611", PM_STATE_DONE },       { "完了", PM_STATE_DONE },
    { "対応済み", PM_STATE_DONE },     { "対応済", PM_STATE_DONE },
    { "実施済み", PM_STATE_DONE },     { "実施済", PM_STATE_DONE },
    { "解決済み", PM_STATE_DONE },     { "済み", PM_STATE_DONE },
    { "済", PM_STATE_DONE },
};

static const struct phrase statuses[] = {
    { "in-review", PM_STATUS_REVIEW }, { "in review", PM_STATUS_REVIEW },
    { "reviewing", PM_STATUS_REVIEW }, { "review", PM_STATUS_REVIEW },
    { "レビュー中", PM_STATUS_REVIEW }, { "draft", PM_STATUS_DRAFT },
    { "下書き", PM_STATUS_DRAFT },     { "published", PM_STATUS_PUBLISHED },
    { "final", PM_STATUS_PUBLISHED },  { "公開済み", PM_STATUS_PUBLISHED },
    { "公開", PM_STATUS_PUBLISHED },
};

const char *pm_state_name(enum pm_state s)
{
    return (unsigned)s < PM_STATE_N ? state_names[s] : "open";
}

const char *pm_status_name(enum pm_status s)
{
    return (unsigned)s < PM_STATUS_N ? status_names[s] : "draft";
}

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Length of phrase p matched at the start of s (ASCII case folded, an
 * ASCII word ending at a boundary), or 0. */
static size_t match_phrase(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);

    if (n > len)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)p[i];

        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (a != b)
            return 0;
    }
    if (is_alnum((unsigned char)p[n - 1]) && n < len && is_alnum((unsigned char)s[n]))
        return 0;
    return n;
}

/* Skip blanks and emphasis marks. */
static size_t skip_marks(const char *s, size_t len, size_t i)
{
    while (i < len && strchr(" \t*_~`", s[i]) && s[i])
        i++;
    return i;
}

static int phrase_value(const struct phrase *tab, size_t n, const char *s, size_t len)
{
    size_t best = 0, i = skip_marks(s, len, 0);
    int value = -1;

    for (size_t k = 0; k < n; k++) {
        size_t m = match_phrase(s + i, len - i, tab[k].text);

        if (m > best) {
            best = m;
            value = tab[k].value;
        }
    }
    return value;
}

int pm_state_parse(const char *s, size_t len)
{
    return phrase_value(states, sizeof(states) / sizeof(states[0]), s, len);
}

int pm_status_parse(const char *s, size_t len)
{
    size_t i = skip_marks(s, len, 0), end = len;

    /* a status is the whole value, not its first word */
    while (end > i && strchr(" \t*_", s[end - 1]))
        end--;
    for (size_t k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++)
        if (match_phrase(s + i, end - i, statuses[k].text) == end - i && end > i)
            return statuses[k].value;
    return -1;
}

/* ---- dates ---- */

static const char *const months[12] = { "jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const month_full[12] = { "january", "february", "march", "april", "may",
                                            "june", "july", "august", "september", "october",
                                            "november", "december" };

static int days_in_month(long y, int m)
{
    static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : d[m - 1];
}

/* Read up to max digits at s[*i]; the count read in *ret_n.  -1 when none. */
static long digits(const char *s, size_t len, size_t *i, int max, int *ret_n)
{
    long v = 0;
    int n = 0;

    while (*i < len && n < max && is_digit((unsigned char)s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    *ret_n = n;
    return n ? v : -1;
}

/* A parsed date: y may be -1 (infer); d 0 means the month's last day. */
struct ymd {
    long y;
    int m, d;
};

/* Month name at s[*i] ("Nov", "Nov.", "November", "Sept"): 1..12 or 0. */
static int month_name(const char *s, size_t len, size_t *i)
{
    for (int k = 0; k < 12; k++) {
        size_t n = match_phrase(s + *i, len - *i, month_full[k]);

        if (!n && k == 8)
            n = match_phrase(s + *i, len - *i, "sept");
        if (!n)
            n = match_phrase(s + *i, len - *i, months[k]);
        if (n) {
            *i += n;
            if (*i < len && s[*i] == '.')
                (*i)++;
            return k + 1;
        }
    }
    return 0;
}

static size_t skip_blank(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* "st", "nd", "rd", "th" after a day number. */
static size_t skip_ordinal(const char *s, size_t len, size_t i)
{
    static const char *const sfx[] = { "st", "nd", "rd", "th" };

    for (size_t k = 0; k < 4; k++)
        if (match_phrase(s + i, len - i, sfx[k]))
            return i + 2;
    return i;
}

/* An optional 4-digit year after ", " or " " at s[i]. */
static long opt_year(const char *s, size_t len, size_t i)
{
    int n;

    if (i < len && s[i] == ',')
        i++;
    i = skip_blank(s, len, i);
    long y = digits(s, len, &i, 5, &n);

    return n == 4 && (i >= len || !is_alnum((unsigned char)s[i])) ? y : -1;
}

/* Forms that start with a number at s[i]. */
static bool date_numeric(const char *s, size_t len, size_t i, struct ymd *ret)
{
    size_t j = i;
    int n, n2, n3;
    long a = digits(s, len, &j, 5, &n), b, c;

    if (n == 4 && j < len && strchr("-/.", s[j]) && s[j]) {
        char sep = s[j++];

        if (sep == '-' && j < len && (s[j] == 'Q' || s[j] == 'q') && j + 1 < len &&
            s[j + 1] >= '1' && s[j + 1] <= '4') {
            *ret = (struct ymd){ a, (s[j + 1] - '0') * 3, 0 };
            return true;
        }
        b = digits(s, len, &j, 2, &n2);
        if (n2 == 0)
            return false;
        if (j < len && s[j] == sep) {
            j++;
            c = digits(s, len, &j, 2, &n3);
            if (n3 == 0 || (j < len && is_digit((unsigned char)s[j])))
                return false;
            *ret = (struct ymd){ a, (int)b, (int)c };
            return true;
        }
        if (sep != '-' || n2 != 2 || (j < len && is_alnum((unsigned char)s[j])))
            return false;
        *ret = (struct ymd){ a, (int)b, 0 };   /* 2026-11: the month's end */
        return true;
    }
    if (n == 4 && j + 5 <= len && memcmp(s + j, "年", 3) == 0) {
        j += 3;
        b = digits(s, len, &j, 2, &n2);
        if (n2 == 0 || j + 3 > len || memcmp(s + j, "月", 3) != 0)
            return false;
        j += 3;
        c = digits(s, len, &j, 2, &n3);
        if (n3 == 0)
            return false;
        *ret = (struct ymd){ a, (int)b, (int)c };
        return true;
    }
    if (n == 4 && skip_blank(s, len, j) < len && (s[skip_blank(s, len, j)] | 0x20) == 'q') {
        j = skip_blank(s, len, j) + 1;
        if (j < len && s[j] >= '1' && s[j] <= '4' && (j + 1 >= len || !is_alnum((unsigned char)s[j + 1]))) {
            *ret = (struct ymd){ a, (s[j] - '0') * 3, 0 };
            return true;
        }
        return false;
    }
    if (n > 2)
        return false;
    if (j + 3 <= len && memcmp(s + j, "月", 3) == 0) {
        j += 3;
        c = digits(s, len, &j, 2, &n3);
        if (n3 == 0)
            return false;
        *ret = (struct ymd){ -1, (int)a, (int)c };
        return true;
    }
    j = skip_blank(s, len, skip_ordinal(s, len, j));
    if (j < len && (s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z') {
        int m = month_name(s, len, &j);

        if (!m)
            return false;
        *ret = (struct ymd){ opt_year(s, len, j), m, (int)a };
        return true;
    }
    return false;
}

/* Forms that start with a word: "Nov 30, 2026", "November 2026", "Q4 2026". */
static bool date_word(const char *s, size_t len, size_t i, struct ymd *ret)
{
    size_t j = i;
    int m, n;
    long d;

    if ((s[i] | 0x20) == 'q' && i + 1 < len && s[i + 1] >= '1' && s[i + 1] <= '4') {
        int q = s[i + 1] - '0';
        long y;

        j = i + 2;
        if (j < len && (s[j] == '-' || s[j] == '/'))
            j++;
        y = opt_year(s, len, j);
        if (y < 0)
            return false;
        *ret = (struct ymd){ y, q * 3, 0 };
        return true;
    }
    if (!(m = month_name(s, len, &j)))
        return false;
    j = skip_blank(s, len, j);
    d = digits(s, len, &j, 5, &n);
    if (n == 4 && (j >= len || !is_alnum((unsigned char)s[j]))) {
        *ret = (struct ymd){ d, m, 0 };
        return true;
    }
    if (n == 0 || n > 2)
        return false;
    j = skip_ordinal(s, len, j);
    if (j < len && is_alnum((unsigned char)s[j]))
        return false;
    *ret = (struct ymd){ opt_year(s, len, j), m, (int)d };
    return true;
}

/* Fill in the year and the month's end, check the day; the day in ms. */
static bool resolve(struct ymd v, int64_t ref_ms, int64_t *ret)
{
    int y0, mo, d, h, mi, sec, ms;
    int64_t t;

    if (v.m < 1 || v.m > 12)
        return false;
    if (v.y < 0) {
        iq_time_civil(ref_ms, &y0, &mo, &d, &h, &mi, &sec, &ms);
        v.y = y0;
        if (v.d < 1 || v.d > days_in_month(v.y, v.m))
            return false;
        t = iq_time_days_from_civil(v.y, (unsigned)v.m, (unsigned)v.d) * PM_DAY_MS;
        if (t < ref_ms - 31 * PM_DAY_MS)
            v.y++;
    }
    if (v.y < 1970 || v.y > 9999)
        return false;
    if (v.d == 0)
        v.d = days_in_month(v.y, v.m);
    if (v.d < 1 || v.d > days_in_month(v.y, v.m))
        return false;
    *ret = iq_time_days_from_civil(v.y, (unsigned)v.m, (unsigned)v.d) * PM_DAY_MS;
    return true;
}

int pm_date_parse(const char *s, size_t len, int64_t ref_ms, int64_t *ret_day)
{
    if (ref_ms == IQ_TIME_NONE)
        ref_ms = iq_time_now_ms();
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i], p = i ? (unsigned char)s[i - 1] : ' ';
        struct ymd v;
        bool ok;

        if (is_alnum(p) || (p == '-' && is_digit(c)))
            continue;
        if (is_digit(c))
            ok = date_numeric(s, len, i, &v);
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            ok = date_word(s, len, i, &v);
        else
            continue;
        if (ok && resolve(v, ref_ms, ret_day))
            return 0;
    }
    return -EINVAL;
}

int64_t pm_day_of(int64_t t)
{
    return (t >= 0 ? t / PM_DAY_MS : (t - PM_DAY_MS + 1) / PM_DAY_MS) * PM_DAY_MS;
}

void pm_date_format(int64_t day_ms, char *buf, size_t size)
{
    int y, mo, d, h, mi, s, ms;

    iq_time_civil(day_ms, &y, &mo, &d, &h, &mi, &s, &ms);
    snprintf(buf, size, "%04d-%02d-%02d", y, mo, d);
}

/* ---- tickets and labels ---- */

/* "LABEL" followed by blanks and ':' (or '：', or '#' for tickets) at s[i]:
 * the offset of the value, or 0. */
static size_t label_at(const char *s, size_t len, size_t i, const char *label, bool hash)
{
    size_t n = match_phrase(s + i, len - i, label);

    if (!n || (i > 0 && is_alnum((unsigned char)s[i - 1])))
        return 0;
    i = skip_blank(s, len, i + n);
    if (i < len && (s[i] == ':' || (hash && s[i] == '#')))
        i++;
    else if (i + 3 <= len && memcmp(s + i, "：", 3) == 0)
        i += 3;
    else
        return 0;
    return skip_blank(s, len, i);
}

/* The value after a label: up to a blank, ',', ';', ')' or '|'. */
static size_t value_len(const char *s, size_t len, size_t i)
{
    size_t j = i;

    while (j < len && !strchr(" \t,;)|", s[j]) && s[j] && !(j + 3 <= len &&
           (memcmp(s + j, "、", 3) == 0 || memcmp(s + j, "）", 3) == 0)))
        j++;
    while (j > i && (s[j - 1] == '.' || s[j - 1] == '*' || s[j - 1] == '_'))
        j--;
    return j - i;
}

static const char *const not_tickets[] = { "SEV", "UTF", "ISO", "SHA", "RFC", "TLS", "HTTP",
                                           "UTC", "GMT", "JST", "IPV", "SLA", "SLO", "P" };

/* A tracker key ABC-123 at s[i]: its length, or 0. */
static size_t key_at(const char *s, size_t len, size_t i)
{
    size_t j = i;

    if (i > 0 && (is_alnum((unsigned char)s[i - 1]) || s[i - 1] == '-' || s[i - 1] == '/'))
        return 0;
    if (j >= len || !(s[j] >= 'A' && s[j] <= 'Z'))
        return 0;
    while (j < len && ((s[j] >= 'A' && s[j] <= 'Z') || is_digit((unsigned char)s[j]) || s[j] == '_'))
        j++;
    if (j - i < 2 || j - i > 16 || j + 1 >= len || s[j] != '-' || !is_digit((unsigned char)s[j + 1]))
        return 0;
    for (size_t k = 0; k < sizeof(not_tickets) / sizeof(not_tickets[0]); k++)
        if (strlen(not_tickets[k]) == j - i && memcmp(s + i, not_tickets[k], j - i) == 0)
            return 0;
    j++;
    while (j < len && is_digit((unsigned char)s[j]))
        j++;
    return j < len && is_alnum((unsigned char)s[j]) ? 0 : j - i;
}

/* An issue URL at s[i] (http...//.../issues/N or .../browse/KEY-N). */
static size_t url_at(const char *s, size_t len, size_t i)
{
    size_t j = i, n = match_phrase(s + i, len - i, "https://");

    if (!n)
        n = match_phrase(s + i, len - i, "http://");
    if (!n)
        return 0;
    while (j < len && !strchr(" \t)>|]", s[j]) && s[j])
        j++;
    for (size_t k = i; k + 7 < j; k++)
        if (memcmp(s + k, "/issues/", 8) == 0 || memcmp(s + k, "/browse/", 8) == 0 ||
            memcmp(s + k, "/-/issues/", 10) == 0)
            return j - i;
    return 0;
}

bool pm_ticket_find(const char *s, size_t len, size_t *ret_off, size_t *ret_len)
{
    static const char *const labels[] = { "ticket", "issue", "bug", "jira", "tracking",
                                          "チケット", "課題" };

    for (size_t i = 0; i < len; i++)
        for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++) {
            size_t v = label_at(s, len, i, labels[k], true);

            if (v && value_len(s, len, v)) {
                *ret_off = v;
                *ret_len = value_len(s, len, v);
                return true;
            }
        }
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < len; i++) {
            size_t n = pass == 0 ? url_at(s, len, i) : pass == 1 ? key_at(s, len, i) : 0;

            if (pass == 2 && s[i] == '#' && (i == 0 || !is_alnum((unsigned char)s[i - 1])) &&
                i + 1 < len && is_digit((unsigned char)s[i + 1])) {
                n = 1;
                while (i + n < len && is_digit((unsigned char)s[i + n]))
                    n++;
                if (i + n < len && is_alnum((unsigned char)s[i + n]))
                    n = 0;
            }
            if (n) {
                *ret_off = i;
                *ret_len = n;
                return true;
            }
        }
    return false;
}

int pm_status_label(const char *s, size_t len, size_t *ret_off, size_t *ret_len)
{
    static const char *const labels[] = { "status", "state", "状態", "ステータス", "状況",
                                          "進捗" };

    for (size_t i = 0; i < len; i++)
        for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++) {
            size_t v = label_at(s, len, i, labels[k], false);

            if (!v)
                continue;
            if (ret_off)
                *ret_off = v;
            if (ret_len)
                *ret_len = len - v;
            return pm_state_parse(s + v, len - v);
        }
    return -1;
}
