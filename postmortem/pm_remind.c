/* pm_remind.c - daily reminders of overdue action items and due follow-up
 * reviews (see pm_remind.h).
 *
 * Design notes:
 * - The rows are pm_followups' with the overdue filter, so a reminder is
 *   sent for exactly what `inquest followups --overdue` lists (items and
 *   reviews; late postmortems are listed, not reminded of).
 * - The mark of a reminder is "<receiver>:<kind>:<incident>:<item>", the
 *   receiver and the item each as 16 hex digits of a sha256 (of the URL,
 *   and of the item's text, or of the review's day count): editing an
 *   item's text makes it a new item, changing a receiver's URL a new
 *   receiver.  Marks are per UTC day of the pass's clock.
 * - A mark is written only after the receiver answered 2xx, so a receiver
 *   that is down gets the reminder on a later pass of the same day; the
 *   cost is a possible duplicate if the daemon dies between the answer and
 *   the mark. */
#include "pm_remind.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_log.h"
#include "pm_follow.h"
#include "pm_store.h"
#include "pm_words.h"

static const char *str(const json_t *row, const char *key, const char *alt)
{
    const char *s = json_string_value(json_object_get(row, key));

    return s ? s : alt;
}

json_t *pm_remind_payload(enum iq_hook_shape shape, const json_t *row)
{
    bool review = strcmp(str(row, "kind", ""), "review") == 0;
    long long days = (long long)json_integer_value(json_object_get(row, "days_overdue"));
    json_t *j;

    if (shape == IQ_HOOK_SLACK) {
        char *text = NULL;
        int n = review
            ? asprintf(&text, "Follow-up review of %s is due: %s on %s (%lld days ago), owner %s.",
                       str(row, "incident", ""), str(row, "item", ""), str(row, "due", ""), days,
                       str(row, "owner", "not named"))
            : asprintf(&text, "Overdue action item of %s (%lld days, due %s, owner %s%s%s): %s",
                       str(row, "incident", ""), days, str(row, "due", ""),
                       str(row, "owner", "not named"), json_object_get(row, "ticket") &&
                       !json_is_null(json_object_get(row, "ticket")) ? ", " : "",
                       str(row, "ticket", ""), str(row, "item", ""));

        if (n < 0)
            return NULL;
        j = json_pack("{s:s}", "text", text);
        free(text);
        return j;
    }
    j = json_deep_copy(row);
    if (j && (json_object_set_new(j, "type", json_string(review ? "inquest.followup.review_due"
                                                                 : "inquest.followup.overdue")) < 0 ||
              json_object_del(j, "kind") < 0)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static void hex16(const char *s, size_t len, char out[17])
{
    char h[PM_HASH_HEX];

    pm_hash(s, len, h);
    memcpy(out, h, 16);
    out[16] = '\0';
}

/* The mark of row for receiver url. */
static void mark_of(const json_t *row, const char *url, char *buf, size_t size)
{
    const char *item = str(row, "item", "");
    char rcv[17], it[17];

    hex16(url, strlen(url), rcv);
    hex16(item, strlen(item), it);
    snprintf(buf, size, "%s:%s:%s:%s", rcv, str(row, "kind", ""), str(row, "incident", ""), it);
}

/* Send row to hook h unless already sent today.  Counts into s. */
static int remind_one(struct ing_store *st, const struct pm_remind_opts *o, const struct iq_hook *h,
                      const json_t *row, int64_t day, struct pm_remind_stats *s)
{
    char key[400], err[256], *body;
    json_t *p;
    int r;

    mark_of(row, h->url, key, sizeof(key));
    s->due++;
    if ((r = pm_store_mark_get(st, day, key)) != 0) {
        s->already += r == 1;
        return r < 0 ? r : 0;
    }
    if (!(p = pm_remind_payload(h->shape, row)))
        return -ENOMEM;
    body = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    if (!body)
        return -ENOMEM;
    r = iq_hook_post(h->url, body, strlen(body), o->retries, o->backoff_ms, o->timeout_ms, err,
                     sizeof(err));
    free(body);
    if (r < 0) {
        s->failed++;
        iq_warn("postmortems", "reminder for %s to %s failed: %s; trying again later",
                str(row, "incident", ""), h->url, err);
        return 0;
    }
    s->sent++;
    return pm_store_mark_put(st, day, key);
}

int pm_remind_pass(struct ing_store *st, const struct pm_remind_opts *o, int64_t now,
                   struct pm_remind_stats *ret)
{
    struct pm_remind_stats s = { 0 };
    struct pm_follow_query q;
    int64_t day = pm_day_of(now);
    json_t *res = NULL;
    const json_t *row;
    size_t i;
    int r;

    pm_follow_query_init(&q);
    q.now = now;
    q.overdue = true;
    q.unpublished_after = o->unpublished_after;
    if (o->n_hooks == 0 || (r = pm_followups(st, &q, &res)) < 0) {
        *ret = s;
        return o->n_hooks == 0 ? 0 : r;
    }
    json_array_foreach(json_object_get(res, "followups"), i, row) {
        if (strcmp(str(row, "kind", ""), "unpublished") == 0)
            continue;
        for (size_t k = 0; k < o->n_hooks && r == 0; k++)
            r = remind_one(st, o, &o->hooks[k], row, day, &s);
    }
    json_decref(res);
    if (r == 0)
        r = pm_store_marks_prune(st, day - PM_MARKS_KEEP_DAYS * PM_DAY_MS);
    *ret = s;
    return r;
}
