/* pm_follow_fmt.c - `inquest followups` output: a table for people, CSV
 * for spreadsheets, JSON for programs (the same document as GET
 * /api/v1/followups).
 *
 * Design notes:
 * - The table pads by display columns, not bytes: Japanese text is two
 *   columns a character, so the columns stay aligned in a terminal; long
 *   item texts are cut at a character boundary with "…".
 * - CSV quotes every text field (RFC 4180: doubled quotes), one row per
 *   follow-up with a kind column; services are joined with ';'. */
#include "pm_follow.h"

#include <errno.h>
#include <string.h>

#define ITEM_COLS 48

/* Display columns of the UTF-8 character at s (its byte length in *n). */
static int char_cols(const unsigned char *s, size_t *n)
{
    unsigned cp;

    if (s[0] < 0x80) {
        *n = 1;
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0 && s[1]) {
        *n = 2;
        return 1;
    }
    if ((s[0] & 0xf0) == 0xe0 && s[1] && s[2]) {
        *n = 3;
        cp = (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
        return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
               (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
               (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
               (cp >= 0xffe0 && cp <= 0xffe6) ? 2 : 1;
    }
    if ((s[0] & 0xf8) == 0xf0 && s[1] && s[2] && s[3]) {
        *n = 4;
        return 2;
    }
    *n = 1;
    return 1;
}

/* Print s in exactly width columns: cut with "…" or padded with spaces. */
static void cell(FILE *f, const char *s, int width)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "-");
    int used = 0, total = 0;
    size_t n;

    for (const unsigned char *q = p; *q; q += n)
        total += char_cols(q, &n);
    while (*p) {
        int w = char_cols(p, &n);

        if (total > width && used + w > width - 1)
            break;
        if (used + w > width)
            break;
        fwrite(p, 1, n, f);
        used += w;
        p += n;
    }
    if (*p && total > width) {
        fputs("\u2026", f);
        used++;
    }
    for (; used < width; used++)
        fputc(' ', f);
}

static const char *str(const json_t *row, const char *key)
{
    return json_string_value(json_object_get(row, key));
}

static void print_table(FILE *f, const json_t *res)
{
    const json_t *row, *c = json_object_get(res, "counts");
    size_t i;

    fprintf(f, "%-24s %-*s %-16s %-10s %-12s %-18s %-10s %s\n", "INCIDENT", ITEM_COLS, "ITEM",
            "OWNER", "DUE", "TICKET", "STRENGTH", "STATE", "OVERDUE");
    json_array_foreach(json_object_get(res, "followups"), i, row) {
        const json_t *days = json_object_get(row, "days_overdue");
        char strength[40];

        snprintf(strength, sizeof(strength), "%s%s", str(row, "strength") ? str(row, "strength") : "-",
                 json_is_true(json_object_get(row, "weak")) ? " (weak)" : "");
        cell(f, str(row, "incident"), 24);
        fputc(' ', f);
        cell(f, str(row, "item"), ITEM_COLS);
        fputc(' ', f);
        cell(f, str(row, "owner"), 16);
        fputc(' ', f);
        cell(f, str(row, "due"), 10);
        fputc(' ', f);
        cell(f, str(row, "ticket"), 12);
        fputc(' ', f);
        cell(f, strength, 18);
        fputc(' ', f);
        cell(f, str(row, "state"), 10);
        if (json_is_integer(days))
            fprintf(f, " %lld d\n", (long long)json_integer_value(days));
        else
            fputs(" -\n", f);
    }
    long long n[3] = { json_integer_value(json_object_get(c, "items")),
                       json_integer_value(json_object_get(c, "reviews_due")),
                       json_integer_value(json_object_get(c, "unpublished")) };

    fprintf(f, "%lld action item%s: %lld open (%lld overdue), %lld done, %lld won't fix; "
            "%lld follow-up review%s due; %lld postmortem%s unpublished %lld days after "
            "resolution\n", n[0], n[0] == 1 ? "" : "s",
            (long long)json_integer_value(json_object_get(c, "open")),
            (long long)json_integer_value(json_object_get(c, "overdue")),
            (long long)json_integer_value(json_object_get(c, "done")),
            (long long)json_integer_value(json_object_get(c, "wontfix")), n[1],
            n[1] == 1 ? "" : "s", n[2], n[2] == 1 ? "" : "s",
            (long long)json_integer_value(json_object_get(res, "unpublished_after_days")));
}

static void csv_text(FILE *f, const char *s)
{
    if (!s)
        return;
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* An integer, or nothing for null; then sep. */
static void csv_int(FILE *f, const json_t *v, char sep)
{
    if (json_is_integer(v))
        fprintf(f, "%lld", (long long)json_integer_value(v));
    fputc(sep, f);
}

/* The services joined with ';', as one quoted field. */
static void csv_services(FILE *f, const json_t *svcs)
{
    const json_t *v;
    size_t k;

    fputc('"', f);
    json_array_foreach(svcs, k, v) {
        const char *s = json_string_value(v);

        if (k)
            fputc(';', f);
        for (; s && *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
    }
    fputs("\",", f);
}

static void print_csv(FILE *f, const json_t *res)
{
    static const char *const text_cols[] = { "item", "owner", "due", "ticket", "type", "strength" };
    const json_t *row, *v;
    size_t i;

    fputs("kind,incident,services,item,owner,due,ticket,type,strength,weak,state,days_overdue,"
          "file,line\n", f);
    json_array_foreach(json_object_get(res, "followups"), i, row) {
        csv_text(f, str(row, "kind"));
        fputc(',', f);
        csv_text(f, str(row, "incident"));
        fputc(',', f);
        csv_services(f, json_object_get(row, "services"));
        for (size_t k = 0; k < sizeof(text_cols) / sizeof(text_cols[0]); k++) {
            csv_text(f, str(row, text_cols[k]));
            fputc(',', f);
        }
        v = json_object_get(row, "weak");
        fprintf(f, "%s,", json_is_boolean(v) ? (json_is_true(v) ? "true" : "false") : "");
        csv_text(f, str(row, "state"));
        fputc(',', f);
        csv_int(f, json_object_get(row, "days_overdue"), ',');
        csv_text(f, str(row, "file"));
        fputc(',', f);
        csv_int(f, json_object_get(row, "line"), '\n');
    }
}

int pm_followups_print(FILE *f, const json_t *res, enum pm_fmt fmt)
{
    if (fmt == PM_FMT_JSON) {
        if (json_dumpf(res, f, JSON_INDENT(2)) < 0)
            return -EIO;
        fputc('\n', f);
    } else if (fmt == PM_FMT_CSV) {
        print_csv(f, res);
    } else {
        print_table(f, res);
    }
    return ferror(f) ? -EIO : 0;
}
