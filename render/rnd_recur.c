/* rnd_recur.c - the Recurrence section's view of a recurring incident (see
 * rnd_recur.h).
 *
 * analyze/ana_recur.c says which earlier incidents share the failure and
 * what their postmortems promised, as data; this file says it in words,
 * once in English and once in Japanese, so each template picks its
 * language ("summary" or "summary_ja").  Strength names follow review/'s
 * ladder: a mechanism, a tool, an automatic recovery, a containment, a
 * rule, a checklist, a promise (an item the classifier could not place is
 * "unclassified").
 *
 * Design notes:
 * - Counts read as people write them: "the open one is a promise", "the 3
 *   open ones are 2 checklists and a promise", "none is open"; in Japanese
 *   "未完了の3件はチェックリスト2件と心がけ1件".
 * - The text only states what the documents say; the recommendation is
 *   about the service, never about people. */
#include "rnd_recur.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "iq_buf.h"
#include "iq_time.h"
#include "rnd_fmt.h"

#define TEXT_MAX 4096
#define NAMED_MAX 5     /* open items the Japanese recommendation names */

struct word {
    const char *key, *one, *many, *ja;
};

static const struct word strengths[] = {
    { "mechanism", "a mechanism", "mechanisms", "メカニズム" },
    { "tool", "a tool", "tools", "ツール" },
    { "recovery", "an automatic recovery", "automatic recoveries", "自動復旧" },
    { "containment", "a containment", "containments", "影響の局所化" },
    { "rule", "a rule", "rules", "ルール" },
    { "checklist", "a checklist", "checklists", "チェックリスト" },
    { "promise", "a promise", "promises", "心がけ" },
    { "unknown", "an unclassified item", "unclassified items", "未分類" },
};

static const struct word states[] = {
    { "open", "open", "open", "未完了" },
    { "done", "done", "done", "完了" },
    { "wontfix", "won't fix", "won't fix", "見送り" },
};

static const struct word *find(const struct word *tab, size_t n, const char *key)
{
    for (size_t i = 0; key && i < n; i++)
        if (strcmp(tab[i].key, key) == 0)
            return &tab[i];
    return &tab[n - 1];
}

static long long num(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* "a tool, 2 checklists and a promise" or "ツール1件、チェックリスト2件と心がけ1件". */
static void kinds(struct iq_buf *b, const json_t *open_strengths, bool ja)
{
    size_t n = json_array_size(open_strengths), i;
    const json_t *e;

    json_array_foreach(open_strengths, i, e) {
        const struct word *w = find(strengths, sizeof(strengths) / sizeof(*strengths),
                                    json_string_value(json_object_get(e, "strength")));
        long long c = num(e, "count");
        const char *sep = i == 0 ? "" : i + 1 == n ? (ja ? "と" : " and ") : (ja ? "、" : ", ");

        if (ja)
            iq_buf_printf(b, "%s%s%lld件", sep, w->ja, c);
        else if (c == 1)
            iq_buf_printf(b, "%s%s", sep, w->one);
        else
            iq_buf_printf(b, "%s%lld %s", sep, c, w->many);
    }
}

static json_t *summary(const json_t *f, bool ja)
{
    long long done = num(f, "done"), total = num(f, "total"), wontfix = num(f, "wontfix");
    long long open = num(f, "open");
    const json_t *ks = json_object_get(f, "open_strengths");
    struct iq_buf b;
    json_t *s;

    iq_buf_init(&b, TEXT_MAX);
    if (ja) {
        iq_buf_printf(&b, "%lld件中%lld件完了", total, done);
        if (wontfix)
            iq_buf_printf(&b, "、%lld件見送り", wontfix);
        if (open) {
            iq_buf_printf(&b, "。未完了の%lld件は", open);
            kinds(&b, ks, true);
        } else {
            iq_buf_adds(&b, "。未完了はありません");
        }
    } else {
        iq_buf_printf(&b, "%lld of %lld done", done, total);
        if (wontfix)
            iq_buf_printf(&b, ", %lld won't fix", wontfix);
        iq_buf_adds(&b, open == 0 ? "; none is open" : open == 1 ? "; the open one is "
                                                                 : "; the ");
        if (open > 1)
            iq_buf_printf(&b, "%lld open ones are ", open);
        if (open)
            kinds(&b, ks, false);
    }
    s = json_string(b.p ? b.p : "");
    iq_buf_free(&b);
    return s;
}

/* The Japanese recommendation from "review". */
static json_t *recommendation_ja(const json_t *review)
{
    const json_t *open = json_object_get(review, "open_items"), *it;
    const char *svc = json_string_value(json_object_get(review, "service"));
    struct iq_buf b;
    size_t i;
    json_t *s;

    iq_buf_init(&b, TEXT_MAX);
    iq_buf_printf(&b, "90日間に同じ障害（%s、%s）が%lld回発生しました。%s のアーキテクチャまたは "
                  "SLO のレビューを検討してください。",
                  json_string_value(json_object_get(review, "class")), svc, num(review, "repeats"),
                  svc);
    json_array_foreach(open, i, it) {
        if (i == NAMED_MAX) {
            iq_buf_printf(&b, "ほか%zu件", json_array_size(open) - i);
            break;
        }
        iq_buf_printf(&b, "%s「%.120s」（%s）", i ? "、" : "過去のポストモーテムで未完了のアクションアイテム: ",
                      json_string_value(json_object_get(it, "text")),
                      json_string_value(json_object_get(it, "incident")));
    }
    if (json_array_size(open))
        iq_buf_adds(&b, "。");
    s = json_string(b.p ? b.p : "");
    iq_buf_free(&b);
    return s;
}

/* The words of each earlier postmortem's action item. */
static void item_words(json_t *it)
{
    const char *owner = json_string_value(json_object_get(it, "owner"));
    const struct word *st = find(states, sizeof(states) / sizeof(*states),
                                 json_string_value(json_object_get(it, "state")));

    json_object_set_new(it, "owner_text", json_string(owner ? owner : "none"));
    json_object_set_new(it, "owner_ja", json_string(owner ? owner : "なし"));
    json_object_set_new(it, "strength_ja",
                        json_string(find(strengths, sizeof(strengths) / sizeof(*strengths),
                                         json_string_value(json_object_get(it, "strength")))->ja));
    json_object_set_new(it, "state_text", json_string(st->one));
    json_object_set_new(it, "state_ja", json_string(st->ja));
}

static void earlier_words(json_t *e)
{
    const json_t *date = json_object_get(e, "date"), *dur = json_object_get(e, "duration");
    char buf[64];
    int64_t ms;

    if (json_is_string(date) &&
        iq_time_parse_rfc3339(json_string_value(date), json_string_length(date), &ms) == 0) {
        rnd_fmt_date_short(ms, buf, sizeof(buf));
        json_object_set_new(e, "date_text", json_string(buf));
    }
    if (json_is_integer(dur)) {
        rnd_fmt_duration(json_integer_value(dur), buf, sizeof(buf));
        json_object_set_new(e, "duration_text", json_string(buf));
    }
}

json_t *rnd_recur_view(const json_t *rec)
{
    json_t *v = json_deep_copy(rec), *f, *e, *review;
    size_t i;

    if (!v)
        return NULL;
    json_object_set_new(v, "has_earlier", json_boolean(json_array_size(json_object_get(v, "earlier")) > 0));
    if (json_array_size(json_object_get(v, "classes")))
        json_object_set_new(v, "classes_text", rnd_fmt_join(json_object_get(v, "classes")));
    json_array_foreach(json_object_get(v, "earlier"), i, e)
        earlier_words(e);
    if ((f = json_object_get(v, "followups"))) {
        json_object_set_new(f, "has_items", json_boolean(json_array_size(json_object_get(f, "items"))));
        json_object_set_new(f, "summary", summary(f, false));
        json_object_set_new(f, "summary_ja", summary(f, true));
        json_array_foreach(json_object_get(f, "items"), i, e)
            item_words(e);
    }
    if (json_is_object(review = json_object_get(v, "review")))
        json_object_set_new(v, "recommendation_ja", recommendation_ja(review));
    return v;
}
