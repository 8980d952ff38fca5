/* pm_doc_test.c - the readers of finished postmortems: due dates, states
 * and tickets as written (pm_words), YAML front matter and its errors with
 * their positions (pm_front), and whole documents (pm_doc: action items in
 * lists and tables, task boxes, Status columns and labels, owners, the
 * root cause and contributing factors, notes), with the shipped lint rules
 * of schemas/lint. */
#include "iq_test.h"
#include <errno.h>
#include "iq_time.h"
#include "pm_doc.h"
#include "pm_front.h"
#include "pm_words.h"

#define REF 1792589400000LL   /* 2026-10-21T13:30:00Z */

static struct pm_reader *rd;

static int setup(void **state)
{
    char dir[512], err[512];

    (void)state;
    snprintf(dir, sizeof(dir), "%s/schemas/lint", iq_test_root());
    if (pm_reader_new(dir, &rd, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pm_reader_destroy(&rd);
    return 0;
}

static void expect_date(const char *s, int64_t ref, const char *want)
{
    int64_t day = 0;
    char got[16];
    int r = pm_date_parse(s, strlen(s), ref, &day);

    if (!want) {
        if (r == 0) {
            pm_date_format(day, got, sizeof(got));
            fail_msg("\"%s\" read as %s, want no date", s, got);
        }
        return;
    }
    if (r != 0)
        fail_msg("\"%s\": no date, want %s", s, want);
    pm_date_format(day, got, sizeof(got));
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\" read as %s, want %s", s, got, want);
}

static void dates(void **state)
{
    static const struct { const char *s, *want; } cases[] = {
        { "2026-11-30", "2026-11-30" },
        { "2026/12/01 (moved from Nov)", "2026-12-01" },
        { "2026.1.5", "2026-01-05" },
        { "2026年12月25日", "2026-12-25" },
        { "期限: 12月5日", "2026-12-05" },
        { "Dec 12", "2026-12-12" },
        { "due Sept 30", "2026-09-30" },        /* a little before the incident: that year */
        { "November 3rd, 2027", "2027-11-03" },
        { "3 Mar 2027", "2027-03-03" },
        { "by 15 January", "2027-01-15" },      /* well before: next year */
        { "target Q1 2027", "2027-03-31" },
        { "2026-Q4", "2026-12-31" },
        { "2027-02", "2027-02-28" },
        { "February 2028", "2028-02-29" },
        { "2026-10-21T13:30:00Z", "2026-10-21" },
        { "2026-02-30", NULL },
        { "OPS-2026-11-30", NULL },
        { "10k rows in 60 s", NULL },
        { "soon", NULL },
        { "", NULL },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_date(cases[i].s, REF, cases[i].want);
}

static void states(void **state)
{
    static const struct { const char *s; int want; } cases[] = {
        { "done", PM_STATE_DONE },           { "Done (shipped 24 Jun)", PM_STATE_DONE },
        { "**DONE**", PM_STATE_DONE },       { "✅", PM_STATE_DONE },
        { "[x]", PM_STATE_DONE },            { "完了", PM_STATE_DONE },
        { "対応済み", PM_STATE_DONE },       { "closed", PM_STATE_DONE },
        { "won't fix: replaced by X", PM_STATE_WONTFIX },
        { "won’t do", PM_STATE_WONTFIX },    { "wontfix", PM_STATE_WONTFIX },
        { "dropped, moot", PM_STATE_WONTFIX }, { "見送り", PM_STATE_WONTFIX },
        { "open", PM_STATE_OPEN },           { "in progress", PM_STATE_OPEN },
        { "ToDo", PM_STATE_OPEN },           { "未着手", PM_STATE_OPEN },
        { "対応中", PM_STATE_OPEN },         { "not started", PM_STATE_OPEN },
        { "doneness", -1 },                  { "maybe", -1 },
        { "", -1 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (pm_state_parse(cases[i].s, strlen(cases[i].s)) != cases[i].want)
            fail_msg("state \"%s\": got %d, want %d", cases[i].s,
                     pm_state_parse(cases[i].s, strlen(cases[i].s)), cases[i].want);
    assert_int_equal(pm_status_parse("published", 9), PM_STATUS_PUBLISHED);
    assert_int_equal(pm_status_parse("in-review", 9), PM_STATUS_REVIEW);
    assert_int_equal(pm_status_parse("In Review", 9), PM_STATUS_REVIEW);
    assert_int_equal(pm_status_parse("draft", 5), PM_STATUS_DRAFT);
    assert_int_equal(pm_status_parse("published later", 15), -1);
    assert_int_equal(pm_status_parse("done", 4), -1);
}

static void expect_ticket(const char *s, const char *want)
{
    size_t off = 0, len = 0;
    bool found = pm_ticket_find(s, strlen(s), &off, &len);

    if (!want) {
        if (found)
            fail_msg("\"%s\": ticket \"%.*s\", want none", s, (int)len, s + off);
        return;
    }
    if (!found || len != strlen(want) || memcmp(s + off, want, len) != 0)
        fail_msg("\"%s\": ticket \"%.*s\", want \"%s\"", s, found ? (int)len : 0, s + off, want);
}

static void tickets(void **state)
{
    (void)state;
    expect_ticket("Add a check (owner: @a, due 2026-11-30, OPS-412)", "OPS-412");
    expect_ticket("Ticket: https://tracker.example/T/881.", "https://tracker.example/T/881");
    expect_ticket("see https://github.com/acme/inv/issues/88 for details",
                  "https://github.com/acme/inv/issues/88");
    expect_ticket("Pause the job (#91)", "#91");
    expect_ticket("チケット: PAY-2201", "PAY-2201");
    expect_ticket("a SEV-1 on UTF-8 text with SHA-256", NULL);
    expect_ticket("ship v2-3 now", NULL);
}

static int status_of(const char *text)
{
    return pm_status_label(text, strlen(text), NULL, NULL);
}

static void labels(void **state)
{
    (void)state;
    assert_int_equal(status_of("Update the runbook. Status: won't fix (moot)"), PM_STATE_WONTFIX);
    assert_int_equal(status_of("手順書を追加する 状態: 対応中"), PM_STATE_OPEN);
    assert_int_equal(status_of("state：完了"), PM_STATE_DONE);
    assert_int_equal(status_of("Status: unclear"), -1);
    assert_int_equal(status_of("no label here"), -1);
}

static int front(const char *text, struct pm_front *f, struct pm_problem *p)
{
    memset(p, 0, sizeof(*p));
    return pm_front_parse(text, strlen(text), f, p);
}

static void front_matter(void **state)
{
    struct pm_front f;
    struct pm_problem p;

    (void)state;
    assert_int_equal(front("\xEF\xBB\xBF---\r\nincident: inc-1\r\nclasses: [a, b]\r\nowner:\r\n"
                           "...\r\n# Title\n", &f, &p), 0);
    assert_string_equal(json_string_value(json_object_get(f.values, "incident")), "inc-1");
    assert_int_equal(json_array_size(json_object_get(f.values, "classes")), 2);
    assert_true(json_is_null(json_object_get(f.values, "owner")));
    assert_int_equal(pm_front_line(&f, "classes"), 3);
    assert_int_equal(f.body_line, 6);
    pm_front_clear(&f);
    /* YAML 1.1 booleans and dates stay text */
    assert_int_equal(front("---\nstatus: no\ngenerated_at: 2026-10-21\n---\n", &f, &p), 0);
    assert_string_equal(json_string_value(json_object_get(f.values, "status")), "no");
    assert_string_equal(json_string_value(json_object_get(f.values, "generated_at")), "2026-10-21");
    pm_front_clear(&f);
    assert_int_equal(front("# No front matter\n---\nincident: x\n---\n", &f, &p), 1);
}

static void expect_front_error(const char *text, int want_r, unsigned line, unsigned col,
                               const char *what)
{
    struct pm_front f;
    struct pm_problem p;
    int r = front(text, &f, &p);

    if (r != want_r || p.line != line || (col && p.col != col) || !strstr(p.msg, what))
        fail_msg("got %d at %u:%u \"%s\", want %d at %u:%u \"%s\"", r, p.line, p.col, p.msg,
                 want_r, line, col, what);
    pm_front_clear(&f);
}

static void front_errors(void **state)
{
    (void)state;
    expect_front_error("---\nincident: inc-1\n# body without a closing line\n", -EINVAL, 1, 1,
                       "not closed");
    expect_front_error("---\nincident: inc-1\nowner: @sam\n---\n", -EINVAL, 3, 8,
                       "cannot start any token");
    expect_front_error("---\r\nincident: inc-1\r\nowner: @sam\r\n---\r\n", -EINVAL, 3, 8,
                       "cannot start any token");
    expect_front_error("---\nincident: inc-1\nowner: [山田, @x]\n---\n", -EINVAL, 3, 13,
                       "cannot start any token");
    expect_front_error("---\nincident: inc-1\nclasses: [a, b\n---\n", -EINVAL, 4, 0,
                       "not valid YAML");
    expect_front_error("---\n- a\n- b\n---\n", -EINVAL, 2, 1, "must be a mapping");
    expect_front_error("---\nincident: a\nstatus: draft\nincident: b\n---\n", -EINVAL, 4, 1,
                       "duplicate key 'incident'");
    expect_front_error("---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n", -E2BIG, 2, 0,
                       "too many");
}

static json_t *read_doc(const char *text, int want_r, struct pm_problem *p)
{
    json_t *rec = NULL;
    int r = pm_doc_read(rd, "t.md", text, strlen(text), REF, &rec, p);

    if (r != want_r)
        fail_msg("pm_doc_read: %d (%u:%u %s), want %d", r, p->line, p->col, p->msg, want_r);
    return rec;
}

static const json_t *item(const json_t *rec, size_t i)
{
    const json_t *it = json_array_get(json_object_get(rec, "items"), i);

    if (!it)
        fail_msg("no item %zu", i);
    return it;
}

static const char *istr(const json_t *rec, size_t i, const char *key)
{
    return json_string_value(json_object_get(item(rec, i), key));
}

static const char list_doc[] =
    "---\n"
    "incident: inc-20261021-3fa2c19e\n"
    "status: published\n"
    "owner: \"@alice\"\n"
    "classes: deploy-regression, config-change\n"
    "review_30: 2026-11-22\n"
    "review_60: wontfix\n"
    "---\n"
    "\n"
    "# Postmortem\n"
    "\n"
    "**Root causes:** the deploy pipeline had no canary stage.\n"
    "\n"
    "## 3. Contributing factors\n"
    "\n"
    "- The alert was routed to a dashboard only.\n"
    "\n"
    "> ✍️ For humans: conditions that made the impact larger.\n"
    "\n"
    "## Action items\n"
    "\n"
    "- [x] Add a canary stage that halts the rollout when the error rate exceeds 2% (owner: @bob, due 2026-11-15, OPS-101)\n"
    "- [ ] Be more careful with deploys on Fridays\n"
    "- [ ] Update the rollback runbook\n"
    "  - Owner: Carol Diaz\n"
    "  - Due: Dec 3\n"
    "  - Status: won't fix\n"
    "- Page the on-call when checkout errors exceed 5% — @dave — by soon-ish. Status: unclear\n"
    "\n"
    "```\n"
    "- [x] not an item: code\n"
    "```\n";

static void doc_list_items(void **state)
{
    struct pm_problem p;
    json_t *rec = read_doc(list_doc, 0, &p), *rv;
    char *notes;

    (void)state;
    assert_string_equal(json_string_value(json_object_get(rec, "status")), "published");
    assert_string_equal(json_string_value(json_object_get(rec, "owner")), "@alice");
    assert_int_equal(json_array_size(json_object_get(rec, "classes")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "classes"), 1)),
                        "config-change");
    rv = json_object_get(rec, "reviews");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rv, 0), "state")), "done");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rv, 0), "held_on")),
                        "2026-11-22");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rv, 1), "state")), "wontfix");
    assert_string_equal(json_string_value(json_object_get(rec, "root_cause")),
                        "the deploy pipeline had no canary stage.");
    assert_string_equal(json_string_value(json_object_get(rec, "contributing_factors")),
                        "The alert was routed to a dashboard only.");
    assert_int_equal(json_array_size(json_object_get(rec, "items")), 4);
    assert_int_equal(json_integer_value(json_object_get(item(rec, 0), "line")), 22);
    assert_string_equal(istr(rec, 0, "state"), "done");
    assert_string_equal(istr(rec, 0, "state_from"), "checkbox");
    assert_string_equal(istr(rec, 0, "owner"), "@bob");
    assert_string_equal(istr(rec, 0, "due"), "2026-11-15");
    assert_string_equal(istr(rec, 0, "ticket"), "OPS-101");
    assert_string_equal(istr(rec, 0, "strength"), "containment");
    assert_string_equal(istr(rec, 1, "state"), "open");
    assert_true(json_is_true(json_object_get(item(rec, 1), "weak")));
    assert_true(json_is_null(json_object_get(item(rec, 1), "owner")));
    assert_string_equal(istr(rec, 2, "state"), "wontfix");
    assert_string_equal(istr(rec, 2, "state_from"), "status");
    assert_string_equal(istr(rec, 2, "owner"), "Carol Diaz");
    assert_string_equal(istr(rec, 2, "due"), "2026-12-03");
    assert_string_equal(istr(rec, 2, "due_text"), "Dec 3");
    /* no task box, an unknown status word: open, and a note says so */
    assert_string_equal(istr(rec, 3, "state"), "open");
    assert_string_equal(istr(rec, 3, "owner"), "@dave");
    notes = json_dumps(json_object_get(rec, "notes"), 0);
    assert_non_null(strstr(notes, "\\\"unclear\\\" is not done"));
    free(notes);
    json_decref(rec);
}

static const char table_doc[] =
    "---\n"
    "incident: inc-20261117-160966eb\n"
    "status: in-review\n"
    "template: ja\n"
    "---\n"
    "\n"
    "## 根本原因\n"
    "\n"
    "外部 API の呼び出しにタイムアウトがなかった。\n"
    "\n"
    "## アクションアイテム\n"
    "\n"
    "| アクション | 担当 | 期限 | チケット | 状態 |\n"
    "|---|---|---|---|---|\n"
    "| 呼び出しにタイムアウトとサーキットブレーカーを入れる | @takahashi | 2026年12月10日 | SRCH-301 | 対応済み |\n"
    "| 外形監視を追加し、失敗したらアラートを通知する | 伊藤 | 12月20日 | SRCH-303 | 対応中 |\n"
    "| 依存を洗い出して周知する |  | 2026/12/25 |  | 見送り |\n"
    "| ✍️ | ✍️ | ✍️ | ✍️ | ✍️ |\n"
    "\n"
    "| Item | Owner | Due | Ticket | Done |\n"
    "|---|---|---|---|---|\n"
    "| Alert when the queue depth exceeds 10k for 5 minutes | @ops | 2026-12-01 | ✍️ | ✅ |\n";

static void doc_table_items(void **state)
{
    struct pm_problem p;
    json_t *rec = read_doc(table_doc, 0, &p);

    (void)state;
    assert_string_equal(json_string_value(json_object_get(rec, "lang")), "ja");
    assert_string_equal(json_string_value(json_object_get(rec, "root_cause")),
                        "外部 API の呼び出しにタイムアウトがなかった。");
    assert_int_equal(json_array_size(json_object_get(rec, "items")), 4);
    assert_string_equal(istr(rec, 0, "state"), "done");
    assert_string_equal(istr(rec, 0, "status_text"), "対応済み");
    assert_string_equal(istr(rec, 0, "due"), "2026-12-10");
    assert_string_equal(istr(rec, 1, "state"), "open");
    assert_string_equal(istr(rec, 1, "owner"), "伊藤");
    assert_string_equal(istr(rec, 1, "due"), "2026-12-20");
    assert_string_equal(istr(rec, 2, "state"), "wontfix");
    assert_true(json_is_null(json_object_get(item(rec, 2), "owner")));
    assert_true(json_is_null(json_object_get(item(rec, 2), "ticket")));
    assert_true(json_is_true(json_object_get(item(rec, 2), "weak")));
    /* a "Done" column holding a check mark; an empty slot is no ticket */
    assert_string_equal(istr(rec, 3, "state"), "done");
    assert_true(json_is_null(json_object_get(item(rec, 3), "ticket")));
    assert_int_equal(json_array_size(json_object_get(rec, "notes")), 0);
    json_decref(rec);
}

static void doc_refusals(void **state)
{
    struct pm_problem p;

    (void)state;
    assert_null(read_doc("# Just notes\n\n- [ ] x\n", 1, &p));
    assert_non_null(strstr(p.msg, "no front matter"));
    assert_null(read_doc("---\ntitle: a page\n---\n# x\n", 1, &p));
    assert_non_null(strstr(p.msg, "no 'incident'"));
    assert_null(read_doc("---\nincident: inc-1\nowner: Ana\nstatus: finished\n---\n", -EINVAL, &p));
    assert_int_equal(p.line, 4);
    assert_non_null(strstr(p.msg, "'status'"));
    assert_null(read_doc("---\nincident: \"../etc/passwd\"\n---\n", -EINVAL, &p));
    assert_int_equal(p.line, 2);
    assert_null(read_doc("---\nincident: inc-1\nclasses: {a: 1}\n---\n", -EINVAL, &p));
    assert_int_equal(p.line, 3);
    assert_null(read_doc("---\nincident: inc-1\ngenerated_at: yesterday\n---\n", -EINVAL, &p));
    assert_null(read_doc("---\nincident: inc-1\nreview_30: maybe\n---\n", -EINVAL, &p));
    assert_null(read_doc("---\nincident: inc-1\n---\n\xff\xfe bad bytes\n", -EILSEQ, &p));
    assert_int_equal(p.line, 4);
    assert_non_null(strstr(p.msg, "not valid UTF-8"));
    assert_null(strstr(p.msg, "t.md"));
}

static void doc_drafts(void **state)
{
    static const char draft[] =
        "---\nincident: inc-1\nstatus: draft\ntemplate: default\n"
        "generated_at: 2026-10-21T15:00:02.117Z\n---\n\n"
        "## Root cause\n\n> ✍️ For humans: the underlying condition.\n\n"
        "## Action items\n\n| Item | Type | Owner | Due | Ticket |\n|---|---|---|---|---|\n"
        "| ✍️ | prevent | ✍️ | ✍️ | ✍️ |\n";
    struct pm_problem p;
    json_t *rec = read_doc(draft, 0, &p);

    (void)state;
    /* a fresh draft: no items, the prompts are not the team's text */
    assert_int_equal(json_array_size(json_object_get(rec, "items")), 0);
    assert_string_equal(json_string_value(json_object_get(rec, "root_cause")), "");
    assert_string_equal(json_string_value(json_object_get(rec, "generated_at")),
                        "2026-10-21T15:00:02.117Z");
    assert_string_equal(json_string_value(json_object_get(rec, "status")), "draft");
    json_decref(rec);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(dates),
    cmocka_unit_test(states),
    cmocka_unit_test(tickets),
    cmocka_unit_test(labels),
    cmocka_unit_test(front_matter),
    cmocka_unit_test(front_errors),
    cmocka_unit_test(doc_list_items),
    cmocka_unit_test(doc_table_items),
    cmocka_unit_test(doc_refusals),
    cmocka_unit_test(doc_drafts),
};

TEST_MAIN_GROUP(tests, setup, teardown)
