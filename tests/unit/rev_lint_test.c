/* rev_lint_test.c - unit tests for review/rev_lint.c and rev_action.c:
 * what is judged and what is not (quoted chat, code, neutral roles,
 * technical words), where findings are reported, how action items are read
 * from tables and lists and classified, the document-level checks of the
 * final review checklist, the model's exceptions and thresholds, and the
 * result's caps and ordering. */
#include "rev_test.h"

/* A draft that passes every structure check, with room for one paragraph
 * (BODY) and one action item line (ITEM). */
#define DRAFT(BODY, ITEM)                                                     \
    "# Postmortem\n\nFollow-up review: 2026-12-01\n\n## Impact\n\n"          \
    "43 minutes, 1,200 failed requests.\n\n## Root cause\n\n" BODY "\n\n"    \
    "## Contributing factors\n\n- No alert on long statements.\n\n"         \
    "## Action items\n\n" ITEM "\n\n## Final review checklist\n\n- [x] Done\n"

static size_t blame_of(const char *md)
{
    struct rev_result *res = rev_test_lint(md, REV_LANG_AUTO);
    size_t n = rev_test_count(res, REV_CAT_BLAME, NULL);

    rev_result_destroy(&res);
    return n;
}

static void quoted_chat_and_code_not_judged(void **state)
{
    (void)state;
    assert_int_equal(blame_of("> bob: the DBA team broke it, human error\n"), 0);
    assert_int_equal(blame_of("```\nThe root cause was human error.\n```\n"), 0);
    assert_int_equal(blame_of("~~~~\nJane was careless.\n~~~~\n"), 0);
    assert_int_equal(blame_of("The log said `operator error: admin was careless`.\n"), 0);
    assert_int_equal(blame_of("She wrote \"I should have known better\" in chat.\n"), 0);
    assert_int_equal(blame_of("She wrote \xe2\x80\x9cI was careless\xe2\x80\x9d in chat.\n"), 0);
    assert_int_equal(blame_of("田中さんは「私の不注意です」と書いた。\n"), 0);
    assert_int_equal(blame_of("<!--\nThe root cause was human error.\n-->\nText.\n"), 0);
    assert_int_equal(blame_of("---\nnote: careless\n---\n# Title\n"), 0);
    /* the same sentences, unquoted, are judged */
    assert_int_equal(blame_of("The root cause was human error.\n"), 1);
    assert_int_equal(blame_of("田中さんの不注意です。\n"), 2);
}

static void neutral_and_technical_not_judged(void **state)
{
    (void)state;
    assert_int_equal(blame_of("The on-call engineer restarted the service at 14:02.\n"), 0);
    assert_int_equal(blame_of("The health check failed and the Kubernetes operator restarted "
                              "the pod.\n"), 0);
    assert_int_equal(blame_of("Latency impact was negligible; lazy loading stayed on.\n"), 0);
    assert_int_equal(blame_of("This is a blameless review. No one is to blame.\n"), 0);
    assert_int_equal(blame_of("キャッシュミスが増え、メモリ不足でOOM Killされた。\n"), 0);
    assert_int_equal(blame_of("オンコール担当の佐藤さんが14:02に再起動した。\n"), 0);
}

static void sentences_are_judged_separately(void **state)
{
    struct rev_result *res = rev_test_lint("It failed. No one is to blame. We blame the vendor.\n",
                                           REV_LANG_AUTO);

    (void)state;
    /* the exception excuses only the sentence it is in */
    assert_int_equal(rev_test_count(res, REV_CAT_BLAME, "blame.en.blame-word"), 1);
    assert_int_equal(rev_test_first(res, REV_CAT_BLAME)->col, 35);
    rev_result_destroy(&res);
}

static void positions_span_lines(void **state)
{
    struct rev_result *res = rev_test_lint("Intro.\n\nAt 14:00 the outage was\ncaused by Priya, "
                                           "who ran it.\n\n本番で田中さんのせいで停止した。\n",
                                           REV_LANG_AUTO);
    const struct rev_finding *f;

    (void)state;
    assert_int_equal(rev_test_count(res, REV_CAT_BLAME, NULL), 2);
    f = rev_test_first(res, REV_CAT_BLAME);
    assert_int_equal(f->line, 4);
    assert_int_equal(f->col, 1);
    assert_string_equal(f->excerpt, "caused by Priya");
    assert_int_equal(f->lang, REV_LANG_EN);
    f++;   /* findings are sorted by position; the next one is on line 6 */
    assert_int_equal(f->line, 6);
    assert_int_equal(f->col, 4);   /* characters: 本番で is three */
    assert_int_equal(f->lang, REV_LANG_JA);
    assert_string_equal(rev_rule_message(f->rule, f->lang), rev_rule_message(f->rule, REV_LANG_JA));
    rev_result_destroy(&res);
}

static void forced_language(void **state)
{
    struct rev_result *res = rev_test_lint("Jane was careless.\n", REV_LANG_JA);

    (void)state;
    assert_int_equal(rev_test_count(res, REV_CAT_BLAME, "blame."), 0);   /* rules only; the model knows no language */
    assert_int_equal(rev_result_lang(res), REV_LANG_JA);
    rev_result_destroy(&res);
}

static void table_items_by_header_name(void **state)
{
    struct rev_result *res = rev_test_lint(DRAFT("A role could delete rows.",
        "| Ticket | Owner | Item | Due | Type |\n|---|---|---|---|---|\n"
        "| OPS-1 | @dba | Revoke DELETE from the maintenance role | 2026-11-30 | Prevent |\n"
        "| | TBD | Add more monitoring | soon | detect |\n"
        "|  |  |  |  |  |\n"), REV_LANG_AUTO);
    const struct rev_action *a;

    (void)state;
    assert_int_equal(rev_result_nactions(res), 2);
    a = rev_result_action(res, 0);
    assert_string_equal(a->text, "Revoke DELETE from the maintenance role");
    assert_int_equal(a->strength, REV_STR_MECHANISM);
    assert_int_equal(a->type, REV_TYPE_PREVENT);
    assert_true(a->type_declared);
    assert_string_equal(a->owner, "@dba");
    assert_string_equal(a->due, "2026-11-30");
    assert_string_equal(a->ticket, "OPS-1");
    assert_int_equal(a->line, 21);
    assert_int_equal(a->col, 18);
    a = rev_result_action(res, 1);
    assert_true(a->weak);
    assert_int_equal(a->strength, REV_STR_PROMISE);
    assert_null(a->owner);
    assert_null(a->due);
    assert_null(a->ticket);
    assert_int_equal(rev_test_count(res, REV_CAT_ACTION, "action.owner-missing"), 1);
    assert_int_equal(rev_test_count(res, REV_CAT_ACTION, "action.due-missing"), 1);
    assert_int_equal(rev_test_count(res, REV_CAT_WEAK, NULL), 1);
    assert_int_equal(rev_test_count(res, REV_CAT_STRUCTURE, NULL), 0);
    rev_result_destroy(&res);
}

static void japanese_table_headers(void **state)
{
    struct rev_result *res = rev_test_lint("## アクションアイテム\n\n| 項目 | 種別 | 担当 | 期限 | チケット |\n"
                                           "|---|---|---|---|---|\n"
                                           "| 監視を強化する | 検知 | 未定 | 2026年11月30日 | OPS-2 |\n",
                                           REV_LANG_AUTO);
    const struct rev_action *a;

    (void)state;
    assert_int_equal(rev_result_nactions(res), 1);
    a = rev_result_action(res, 0);
    assert_int_equal(a->lang, REV_LANG_JA);
    assert_true(a->weak);
    assert_int_equal(a->type, REV_TYPE_DETECT);
    assert_true(a->type_declared);
    assert_null(a->owner);
    assert_string_equal(a->due, "2026年11月30日");
    assert_int_equal(rev_test_count(res, REV_CAT_ACTION, "action.owner-missing"), 1);
    assert_int_equal(rev_result_lang(res), REV_LANG_JA);
    rev_result_destroy(&res);
}

static void list_items_with_fields(void **state)
{
    struct rev_result *res = rev_test_lint(DRAFT("A role could delete rows.",
        "### Prevent\n\n"
        "- Add a CI check that rejects migrations without a plan (owner: @alice, due 2026-11-30)\n"
        "- Alert when replication lag exceeds 30 s\n"
        "  - Owner: @dba-oncall\n"
        "  - Due: Nov 20, 2026\n"
        "- Be more careful, owner: TBD\n"), REV_LANG_AUTO);
    const struct rev_action *a;

    (void)state;
    assert_int_equal(rev_result_nactions(res), 3);
    a = rev_result_action(res, 0);
    assert_int_equal(a->strength, REV_STR_TOOL);
    assert_int_equal(a->type, REV_TYPE_PREVENT);
    assert_false(a->type_declared);
    assert_string_equal(a->owner, "@alice");
    assert_string_equal(a->due, "2026-11-30");
    a = rev_result_action(res, 1);
    assert_int_equal(a->type, REV_TYPE_DETECT);
    assert_string_equal(a->owner, "@dba-oncall");
    assert_string_equal(a->due, "Nov 20, 2026");
    a = rev_result_action(res, 2);
    assert_true(a->weak);
    assert_null(a->owner);
    assert_int_equal(rev_test_count(res, REV_CAT_ACTION, NULL), 2);
    rev_result_destroy(&res);
}

static void template_slots_are_not_items(void **state)
{
    struct rev_result *res = rev_test_lint("## Action items\n\n| Item | Type | Owner | Due | Ticket |\n"
                                           "|---|---|---|---|---|\n"
                                           "| \xe2\x9c\x8d\xef\xb8\x8f | prevent | \xe2\x9c\x8d\xef\xb8\x8f | | |\n"
                                           "| Revoke DELETE from the role | prevent | "
                                           "\xe2\x9c\x8d\xef\xb8\x8f *to fill* | 2026-11-30 | |\n",
                                           REV_LANG_AUTO);

    (void)state;
    assert_int_equal(rev_result_nactions(res), 1);
    assert_null(rev_result_action(res, 0)->owner);
    assert_int_equal(rev_test_count(res, REV_CAT_ACTION, "action.owner-missing"), 1);
    assert_int_equal(rev_test_count(res, -1, "structure.action-items-empty"), 0);
    rev_result_destroy(&res);
}

static void weak_word_excused_by_mechanism(void **state)
{
    struct rev_result *res = rev_test_lint("## Action items\n\n"
                                           "- Add an automated double-check in CI "
                                           "that diffs the config (owner: @a, due 2026-11-30)\n",
                                           REV_LANG_AUTO);

    (void)state;
    assert_int_equal(rev_result_nactions(res), 1);
    assert_false(rev_result_action(res, 0)->weak);
    assert_int_equal(rev_result_action(res, 0)->strength, REV_STR_TOOL);
    assert_int_equal(rev_test_count(res, REV_CAT_WEAK, NULL), 0);
    rev_result_destroy(&res);
}

static void structure_checks(void **state)
{
    struct rev_result *res = rev_test_lint("# Postmortem\n\n## Impact\n\nSome users.\n\n"
                                           "## Action items\n\nNone yet.\n\n"
                                           "## Final review checklist\n\n"
                                           "- [ ] One\n- [x] Two\n- [ ] Three\n",
                                           REV_LANG_AUTO);

    (void)state;
    assert_int_equal(rev_test_count(res, -1, "structure.impact-not-quantified"), 1);
    assert_int_equal(rev_test_count(res, -1, "structure.impact-missing"), 0);
    assert_int_equal(rev_test_count(res, -1, "structure.root-cause-missing"), 1);
    assert_int_equal(rev_test_count(res, -1, "structure.contributing-factors-missing"), 1);
    assert_int_equal(rev_test_count(res, -1, "structure.action-items-empty"), 1);
    assert_int_equal(rev_test_count(res, -1, "structure.checklist-unticked"), 2);
    assert_int_equal(rev_test_count(res, -1, "structure.follow-up-unscheduled"), 1);
    assert_int_equal(rev_test_count(res, -1, "structure.checklist-missing"), 0);
    rev_result_destroy(&res);
    res = rev_test_lint(DRAFT("A role could delete rows.",
                              "- Revoke DELETE (owner: @a, due 2026-11-30)"), REV_LANG_AUTO);
    assert_int_equal(rev_result_nfindings(res), 0);
    rev_result_destroy(&res);
}

static void findings_sorted_and_capped(void **state)
{
    struct rev_lint_opts opts = { .lang = REV_LANG_AUTO, .max_findings = 3 };
    const char *md = "He was careless. She was careless. They were careless. It was sloppy.\n";
    struct rev_result *res = NULL;
    struct rev_doc *doc = NULL;
    char err[512];

    (void)state;
    assert_int_equal(rev_doc_parse("c.md", md, strlen(md), &doc, err, sizeof(err)), 0);
    assert_int_equal(rev_lint_doc(doc, rev_test_rules(), &opts, &res, err, sizeof(err)), 0);
    assert_int_equal(rev_result_nfindings(res), 3);
    assert_true(rev_result_truncated(res));
    for (size_t i = 1; i < rev_result_nfindings(res); i++)
        assert_true(rev_result_finding(res, i - 1)->col < rev_result_finding(res, i)->col);
    assert_int_equal(rev_result_count(res, REV_SEV_ERROR), 3);
    rev_result_destroy(&res);
    rev_doc_destroy(&doc);
}

static void long_excerpt_is_cut(void **state)
{
    char md[600];
    size_t n = 0;
    struct rev_result *res;
    const char *ex;

    (void)state;
    n += (size_t)snprintf(md + n, sizeof(md) - n, "田中さんが");
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(md + n, sizeof(md) - n, "あ");
    snprintf(md + n, sizeof(md) - n, "したことが原因です。\n");
    res = rev_test_lint(md, REV_LANG_AUTO);
    assert_int_equal(rev_test_count(res, REV_CAT_BLAME, "blame.ja.person-as-cause"), 1);
    ex = rev_result_finding(res, 0)->excerpt;
    assert_true(strlen(ex) <= REV_EXCERPT_MAX + 3);
    assert_string_equal(ex + strlen(ex) - 3, "\xe2\x80\xa6");
    assert_int_equal(strncmp(ex, "田中さんが", 15), 0);
    rev_result_destroy(&res);
}

/* Lint md with the model at threshold th (both tasks); the number of blame
 * findings. */
static size_t blame_at(const char *md, double th)
{
    struct rev_lint_opts opts = { .lang = REV_LANG_AUTO, .threshold = { th, th } };
    struct rev_result *res = NULL;
    struct rev_doc *doc = NULL;
    char err[512];
    size_t n;

    if (rev_doc_parse("t.md", md, strlen(md), &doc, err, sizeof(err)) < 0 ||
        rev_lint_doc(doc, rev_test_rules(), &opts, &res, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    n = rev_test_count(res, REV_CAT_BLAME, NULL);
    rev_result_destroy(&res);
    rev_doc_destroy(&doc);
    return n;
}

/* model.blame's exceptions excuse denials of fault even where the model
 * would fire on anything; thresholds are per language unless given. */
static void model_exceptions_and_thresholds(void **state)
{
    const struct rev_rules *rules = rev_test_rules();
    const struct rev_model *m = rev_rules_model(rules);
    struct rev_lint_opts dflt = { .lang = REV_LANG_AUTO }, set = { .threshold = { 0.7, 0.8 } },
                         off = { .no_model = true };

    (void)state;
    assert_int_equal(blame_at("The contractor pushed the change to the cluster.\n", 0.001), 1);
    assert_int_equal(blame_at("The contractor was not careless; our documentation pointed to "
                              "the wrong cluster.\n", 0.001), 0);
    assert_int_equal(blame_at("No single person caused this outage.\n", 0.001), 0);
    assert_int_equal(blame_at("We are not attributing this incident to human error.\n", 0.001),
                     0);
    assert_int_equal(blame_at("担当者が設定を変更した。\n", 0.001), 1);
    assert_int_equal(blame_at("担当者の落ち度はなかった。\n", 0.001), 0);
    assert_int_equal(blame_at("本件をヒューマンエラーとは位置づけていない。\n", 0.001), 0);
    assert_non_null(m);
    assert_true(rev_lint_threshold(rules, &dflt, REV_MODEL_BLAME, REV_LANG_EN) ==
                rev_model_threshold(m, REV_MODEL_BLAME, REV_MODEL_EN));
    assert_true(rev_lint_threshold(rules, &dflt, REV_MODEL_WEAK, REV_LANG_JA) ==
                rev_model_threshold(m, REV_MODEL_WEAK, REV_MODEL_JA));
    assert_true(rev_lint_threshold(rules, &set, REV_MODEL_BLAME, REV_LANG_JA) == 0.7);
    assert_true(rev_lint_threshold(rules, &set, REV_MODEL_WEAK, REV_LANG_EN) == 0.8);
    assert_true(rev_lint_threshold(rules, &off, REV_MODEL_BLAME, REV_LANG_EN) > 1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(quoted_chat_and_code_not_judged),
    cmocka_unit_test(neutral_and_technical_not_judged),
    cmocka_unit_test(sentences_are_judged_separately),
    cmocka_unit_test(positions_span_lines),
    cmocka_unit_test(forced_language),
    cmocka_unit_test(table_items_by_header_name),
    cmocka_unit_test(japanese_table_headers),
    cmocka_unit_test(list_items_with_fields),
    cmocka_unit_test(template_slots_are_not_items),
    cmocka_unit_test(weak_word_excused_by_mechanism),
    cmocka_unit_test(structure_checks),
    cmocka_unit_test(findings_sorted_and_capped),
    cmocka_unit_test(model_exceptions_and_thresholds),
    cmocka_unit_test_teardown(long_excerpt_is_cut, rev_test_teardown),
};

TEST_MAIN(tests)
