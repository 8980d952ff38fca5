/* pm_print.c - output of `inquest postmortems sync|list|show` and of
 * `inquest followups` (see pm_print.h).
 *
 * Design notes:
 * - The sync line states what the store now holds for the file, so a run
 *   reads as a log of what changed; "unchanged" files are listed too (a
 *   file that stopped being synced would otherwise go unnoticed).
 * - Text output is for people and may change; the JSON forms are the
 *   records as stored and the follow-ups as the API serves them
 *   (docs/followups.md).
 * - The follow-ups table pads by display columns, not bytes: Japanese text
 *   is two columns a character, so the columns stay aligned in a terminal;
 *   long item texts are cut at a character boundary with "…".
 * - Follow-ups CSV quotes every text field (RFC 4180: doubled quotes), one
 *   row per follow-up with a kind column; services are joined with ';'. */
#include "pm_print.h"

#include <errno.h>
#include <string.h>

static const char *str(const json_t *o, const char *key, const char *alt)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s && *s ? s : alt;
}

static long long num(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static size_t count_state(const json_t *rec, const char *state)
{
    const json_t *it;
    size_t i, n = 0;

    json_array_foreach(json_object_get(rec, "items"), i, it)
        n += strcmp(str(it, "state", ""), state) == 0;
    return n;
}

static void print_notes(FILE *err, const char *path, const json_t *rec)
{
    const json_t *n;
    size_t i;

    json_array_foreach(json_object_get(rec, "notes"), i, n)
        fprintf(err, "%s:%lld: warning: %s\n", path, num(n, "line"), str(n, "message", ""));
}

int pm_print_file(FILE *out, FILE *err, bool quiet, const struct pm_file_report *rep)
{
    const struct pm_problem *p = rep->prob;
    const json_t *rec = rep->record, *lint = json_object_get(rec, "lint");

    if (rep->outcome == PM_SYNC_PROBLEM) {
        if (p && p->line)
            fprintf(err, "%s:%u:%u: error: %s\n", rep->path, p->line, p->col ? p->col : 1, p->msg);
        else
            fprintf(err, "%s: error: %s\n", rep->path, p ? p->msg : "unreadable");
        return ferror(err) ? -EIO : 0;
    }
    if (rep->outcome == PM_SYNC_NEW || rep->outcome == PM_SYNC_UPDATED)
        print_notes(err, rep->path, rec);
    if (quiet)
        return 0;
    if (rep->outcome == PM_SYNC_SKIPPED)
        fprintf(out, "%-9s  %s: %s\n", "skipped", rep->path, p ? p->msg : "");
    else
        fprintf(out, "%-9s  %s: %s, %s, %zu action items (%zu done), lint: %lld errors, "
                "%lld warnings\n", pm_outcome_name(rep->outcome), rep->path, rep->incident,
                str(rec, "status", "draft"), json_array_size(json_object_get(rec, "items")),
                count_state(rec, "done"), num(lint, "errors"), num(lint, "warnings"));
    return ferror(out) ? -EIO : 0;
}

int pm_print_summary(FILE *out, const struct pm_sync_stats *s)
{
    fprintf(out, "synced %u file%s: %u new, %u updated, %u unchanged, %u skipped, %u with problems\n",
            s->files, s->files == 1 ? "" : "s", s->created, s->updated, s->unchanged, s->skipped,
            s->problems);
    return ferror(out) ? -EIO : 0;
}

static json_t *summary(const char *id, const json_t *rec)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s?}", "incident", id,
                     "status", str(rec, "status", "draft"), "path", str(rec, "path", ""), "items",
                     (json_int_t)json_array_size(json_object_get(rec, "items")), "done",
                     (json_int_t)count_state(rec, "done"), "open",
                     (json_int_t)count_state(rec, "open"), "versions",
                     (json_int_t)num(rec, "versions"), "synced_at", str(rec, "synced_at", ""),
                     "first_synced_at", str(rec, "first_synced_at", ""), "published_at",
                     str(rec, "published_at", NULL));
}

int pm_print_list(FILE *out, const json_t *all, bool as_json)
{
    json_t *arr = json_array(), *rec;
    const char *id;

    if (!arr)
        return -ENOMEM;
    json_object_foreach((json_t *)all, id, rec)
        json_array_append_new(arr, summary(id, rec));
    if (as_json) {
        json_dumpf(arr, out, JSON_INDENT(2));
        fputc('\n', out);
    } else {
        const json_t *s;
        size_t i;

        fprintf(out, "%-26s %-10s %5s %5s %8s  %-24s %s\n", "INCIDENT", "STATUS", "ITEMS", "DONE",
                "VERSIONS", "SYNCED", "PATH");
        json_array_foreach(arr, i, s)
            fprintf(out, "%-26s %-10s %5lld %5lld %8lld  %-24s %s\n", str(s, "incident", ""),
                    str(s, "status", ""), num(s, "items"), num(s, "done"), num(s, "versions"),
                    str(s, "synced_at", ""), str(s, "path", ""));
        fprintf(out, "%zu postmortems\n", json_array_size(arr));
    }
    json_decref(arr);
    return ferror(out) ? -EIO : 0;
}

static void print_list_line(FILE *out, const char *label, const json_t *arr)
{
    const json_t *v;
    size_t i;

    if (!json_array_size(arr))
        return;
    fprintf(out, "%s: ", label);
    json_array_foreach(arr, i, v)
        fprintf(out, "%s%s", i ? ", " : "", json_string_value(v));
    fputc('\n', out);
}

static void print_items(FILE *out, const json_t *rec)
{
    const json_t *it;
    size_t i;

    fprintf(out, "action items (%zu):\n", json_array_size(json_object_get(rec, "items")));
    json_array_foreach(json_object_get(rec, "items"), i, it)
        fprintf(out, "  %-9s line %-4lld %s\n            owner %s, due %s, ticket %s; %s, %s%s\n",
                str(it, "state", "open"), num(it, "line"), str(it, "text", ""),
                str(it, "owner", "none"), str(it, "due", str(it, "due_text", "none")),
                str(it, "ticket", "none"), str(it, "strength", "unknown"), str(it, "type", "unknown"),
                json_is_true(json_object_get(it, "weak")) ? ", weak" : "");
}

int pm_print_show(FILE *out, const json_t *record, const json_t *history, bool as_json)
{
    const json_t *lint = json_object_get(record, "lint"), *v;
    size_t i;

    if (as_json) {
        json_t *j = json_pack("{s:O, s:O}", "record", record, "history", history);

        if (!j)
            return -ENOMEM;
        json_dumpf(j, out, JSON_INDENT(2));
        fputc('\n', out);
        json_decref(j);
        return ferror(out) ? -EIO : 0;
    }
    fprintf(out, "%s: %s, %s (synced %s, %lld versions)\n", str(record, "incident", ""),
            str(record, "status", "draft"), str(record, "path", ""), str(record, "synced_at", ""),
            num(record, "versions"));
    fprintf(out, "owner: %s\n", str(record, "owner", "none"));
    print_list_line(out, "reviewers", json_object_get(record, "reviewers"));
    print_list_line(out, "confirmed classes", json_object_get(record, "classes"));
    if (json_object_get(record, "published_at"))
        fprintf(out, "published: %s\n", str(record, "published_at", ""));
    fprintf(out, "root cause: %s\n", str(record, "root_cause", "(none)"));
    fprintf(out, "contributing factors: %s\n", str(record, "contributing_factors", "(none)"));
    print_items(out, record);
    json_array_foreach(json_object_get(record, "reviews"), i, v)
        fprintf(out, "follow-up review after %lld days: %s%s%s\n", num(v, "after_days"),
                str(v, "state", "open"), json_object_get(v, "held_on") ? ", held " : "",
                str(v, "held_on", ""));
    fprintf(out, "lint: %lld errors, %lld warnings\n", num(lint, "errors"), num(lint, "warnings"));
    fprintf(out, "versions:\n");
    json_array_foreach(history, i, v)
        fprintf(out, "  %s  sha256:%.12s  %-10s %lld items, %lld done  %s\n",
                str(v, "synced_at", ""), str(v, "hash", ""), str(v, "status", ""), num(v, "items"),
                num(v, "done"), str(v, "path", ""));
    return ferror(out) ? -EIO : 0;
}

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

static const char *rstr(const json_t *row, const char *key)
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

        snprintf(strength, sizeof(strength), "%s%s", rstr(row, "strength") ? rstr(row, "strength") : "-",
                 json_is_true(json_object_get(row, "weak")) ? " (weak)" : "");
        cell(f, rstr(row, "incident"), 24);
        fputc(' ', f);
        cell(f, rstr(row, "item"), ITEM_COLS);
        fputc(' ', f);
        cell(f, rstr(row, "owner"), 16);
        fputc(' ', f);
        cell(f, rstr(row, "due"), 10);
        fputc(' ', f);
        cell(f, rstr(row, "ticket"), 12);
        fputc(' ', f);
        cell(f, strength, 18);
        fputc(' ', f);
        cell(f, rstr(row, "state"), 10);
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
        csv_text(f, rstr(row, "kind"));
        fputc(',', f);
        csv_text(f, rstr(row, "incident"));
        fputc(',', f);
        csv_services(f, json_object_get(row, "services"));
        for (size_t k = 0; k < sizeof(text_cols) / sizeof(text_cols[0]); k++) {
            csv_text(f, rstr(row, text_cols[k]));
            fputc(',', f);
        }
        v = json_object_get(row, "weak");
        fprintf(f, "%s,", json_is_boolean(v) ? (json_is_true(v) ? "true" : "false") : "");
        csv_text(f, rstr(row, "state"));
        fputc(',', f);
        csv_int(f, json_object_get(row, "days_overdue"), ',');
        csv_text(f, rstr(row, "file"));
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
