/* rnd_redact_test.c - table tests of the shipped redaction rules
 * (schemas/redaction.json) and of the pseudonyms (render/rnd_pseudo.c).
 *
 * The rules file is read from $IQ_ROOT/schemas/redaction.json (the repo
 * root when run by tests/run.sh), else ./schemas/redaction.json.  Every
 * row gives an input and the exact text expected after redaction, so a
 * rule that stops matching, or starts matching harmless text such as
 * timestamps and version numbers, fails here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_re.h"
#include "rnd_pseudo.h"
#include "rnd_redact.h"

struct row {
    const char *in;
    const char *want;
    unsigned long count;
};

static const struct row rows[] = {
    { "mail alice@example.com now", "mail [redacted e-mail] now", 1 },
    { "a.b+tag@mail.example.co.jp, c@d.io", "[redacted e-mail], [redacted e-mail]", 2 },
    { "from 10.0.12.7 to 192.168.1.255:8080", "from [redacted IP] to [redacted IP]:8080", 2 },
    { "v6 2001:db8::8a2e:370:7334 and fe80::1", "v6 [redacted IP] and [redacted IP]", 2 },
    { "full 2001:0db8:85a3:0000:0000:8a2e:0370:7334", "full [redacted IP]", 1 },
    { "Authorization: Bearer abcDEF123456789.xyz_-~+/", "Authorization: Bearer [redacted token]", 1 },
    { "token xoxb-123456789012-abcdefABCDEF leaked", "token [redacted Slack token] leaked", 1 },
    { "xoxp-1234-5678-abcdefghij", "[redacted Slack token]", 1 },
    { "key AKIAIOSFODNN7EXAMPLE used", "key [redacted AWS key] used", 1 },
    { "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "aws_secret_access_key=[redacted AWS secret]", 1 },
    { "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "jwt [redacted JWT]", 1 },
    { "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY----- tail",
      "[redacted private key] tail", 1 },
    { "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----",
      "[redacted private key]", 1 },
    { "call +1 415 555 0100 or 090-1234-5678", "call [redacted phone] or [redacted phone]", 2 },
    { "office (03) 1234-5678.", "office [redacted phone].", 1 },
    /* harmless text that must survive */
    { "2026-10-21T13:42:00.000Z deploy v2.14.0 build 8f3c2", "2026-10-21T13:42:00.000Z deploy v2.14.0 build 8f3c2", 0 },
    { "latency p99 1200 ms, 5xx 3.2%, 13:42-14:05", "latency p99 1200 ms, 5xx 3.2%, 13:42-14:05", 0 },
    { "ServiceDown fired x14 on 3 instances", "ServiceDown fired x14 on 3 instances", 0 },
    { "std::string and 1.2.3.4.5", "std::string and 1.2.3.4.5", 0 },
    { "order 12345678 and id 1234-5678", "order 12345678 and id 1234-5678", 0 },
    { "メール alice@example.com です", "メール [redacted e-mail] です", 1 },
};

static const char *rules_path(char *buf, size_t size)
{
    const char *root = getenv("IQ_ROOT");

    snprintf(buf, size, "%s/schemas/redaction.json", root && *root ? root : ".");
    return buf;
}

static struct rnd_redact *load_rules(void)
{
    struct rnd_redact *rd = NULL;
    char path[4096], err[512];

    if (rnd_redact_load(rules_path(path, sizeof(path)), &rd, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    return rd;
}

static void shipped_rules_table(void **state)
{
    struct rnd_redact *rd = load_rules();

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct rnd_redact_stats st = { 0 };
        char *out = NULL;
        size_t n = 0;
        int rc = rnd_redact_string(rd, rows[i].in, strlen(rows[i].in), &out, &n, &st);

        if (rc < 0)
            fail_msg("row %zu: error %d", i, rc);
        if (strcmp(out ? out : rows[i].in, rows[i].want) != 0 || (unsigned long)rc != rows[i].count ||
            st.total != rows[i].count)
            fail_msg("row %zu: \"%s\" gave \"%s\" (%d items), want \"%s\" (%lu)", i, rows[i].in,
                     out ? out : rows[i].in, rc, rows[i].want, rows[i].count);
        free(out);
    }
    rnd_redact_destroy(&rd);
    assert_null(rd);
}

static void json_tree_and_summary(void **state)
{
    struct rnd_redact *rd = load_rules();
    struct rnd_redact_stats st = { 0 };
    json_t *doc = json_loads("{\"a\":\"x@y.com\",\"l\":[\"10.1.1.1\",{\"k\":\"z@w.org 10.2.2.2\"}],"
                             "\"alice@keys.example\":1}", 0, NULL);
    json_t *sum;

    (void)state;
    assert_int_equal(rnd_redact_json(rd, doc, &st), 4);
    assert_string_equal(json_string_value(json_object_get(doc, "a")), "[redacted e-mail]");
    assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "l"), 0)), "[redacted IP]");
    assert_non_null(json_object_get(doc, "alice@keys.example"));   /* keys untouched */
    sum = rnd_redact_summary(rd, &st);
    assert_int_equal(json_integer_value(json_object_get(sum, "total")), 4);
    assert_int_equal(json_array_size(json_object_get(sum, "items")), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(sum, "items"), 0),
                                                          "label")), "e-mail address");
    json_decref(sum);
    json_decref(doc);
    rnd_redact_destroy(&rd);
}

static void bad_rules(void **state)
{
    struct rnd_redact *rd = NULL;
    char err[512];
    json_t *doc = json_loads("{\"rules\":[{\"name\":\"ok\",\"pattern\":\"a\",\"replacement\":\"b\"},"
                             "{\"name\":\"broken\",\"pattern\":\"(unclosed\",\"replacement\":\"x\"}]}",
                             0, NULL);

    (void)state;
    assert_int_equal(rnd_redact_from_json(doc, "test.json", &rd, err, sizeof(err)), -EINVAL);
    assert_null(rd);
    assert_non_null(strstr(err, "rule 'broken': pattern error at offset 9"));
    json_decref(doc);
    doc = json_loads("{\"rules\":[{\"name\":\"n\"}]}", 0, NULL);
    assert_int_equal(rnd_redact_from_json(doc, "t2", &rd, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "t2: rules[0]: needs string members"));
    json_decref(doc);
    assert_int_equal(rnd_redact_load("/nonexistent/redaction.json", &rd, err, sizeof(err)), -ENOENT);
}

static void literal_dollar_replacement(void **state)
{
    struct rnd_redact *rd = NULL;
    char err[512], *out = NULL;
    json_t *doc = json_loads("{\"rules\":[{\"name\":\"d\",\"pattern\":\"secret\",\"replacement\":\"$1 [gone]\"}]}",
                             0, NULL);

    (void)state;
    assert_int_equal(rnd_redact_from_json(doc, "d", &rd, err, sizeof(err)), 0);
    assert_int_equal(rnd_redact_string(rd, "a secret b", 10, &out, NULL, NULL), 1);
    assert_string_equal(out, "a $1 [gone] b");
    free(out);
    rnd_redact_destroy(&rd);
    json_decref(doc);
}

/* A rule that hits regex.redaction's match limit fails the pass (no
 * half-redacted text), and the failure names the rule, the limit and its
 * key. */
static void limit_names_the_rule(void **state)
{
    struct rnd_redact_stats st = { 0 };
    struct rnd_redact *rd = NULL;
    char err[512], *out = NULL, subject[41];
    json_t *cfg = json_loads("{\"redaction\": {\"match_limit\": 1000}}", 0, NULL);
    json_t *doc = json_loads("{\"rules\":[{\"name\":\"ok\",\"pattern\":\"b\","
                             "\"replacement\":\"B\"},{\"name\":\"slow\",\"pattern\":"
                             "\"(a+)+$\",\"replacement\":\"x\"}]}", 0, NULL);

    (void)state;
    assert_int_equal(iq_re_setup(cfg, err, sizeof(err)), 0);
    assert_int_equal(rnd_redact_from_json(doc, "d", &rd, err, sizeof(err)), 0);
    memset(subject, 'a', sizeof(subject) - 2);
    subject[sizeof(subject) - 2] = 'b';
    subject[sizeof(subject) - 1] = '\0';
    assert_int_equal(rnd_redact_string(rd, subject, strlen(subject), &out, NULL, &st), -ERANGE);
    assert_null(out);
    assert_string_equal(rnd_redact_failure(rd, &st, -ERANGE, err, sizeof(err)),
                        "rule 'slow' hit the pcre2 match limit "
                        "(regex.redaction.match_limit = 1000)");
    assert_string_equal(rnd_redact_failure(rd, NULL, -ENOMEM, err, sizeof(err)),
                        strerror(ENOMEM));
    rnd_redact_destroy(&rd);
    json_decref(cfg);
    cfg = json_loads("{\"redaction\": {\"match_limit\": 1000000}}", 0, NULL);
    assert_int_equal(iq_re_setup(cfg, err, sizeof(err)), 0);
    json_decref(cfg);
    json_decref(doc);
}

static void pseudonyms_stable(void **state)
{
    struct rnd_pseudo *p = rnd_pseudo_new("responder");

    (void)state;
    assert_string_equal(rnd_pseudo_name(p, "alice"), "responder A");
    assert_string_equal(rnd_pseudo_name(p, "bob.smith"), "responder B");
    assert_string_equal(rnd_pseudo_name(p, "alice"), "responder A");
    for (int i = 2; i < 27; i++) {
        char name[16];

        snprintf(name, sizeof(name), "user%d", i);
        assert_non_null(rnd_pseudo_name(p, name));
    }
    assert_string_equal(rnd_pseudo_name(p, "user26"), "responder AA");
    assert_int_equal(rnd_pseudo_count(p), 27);
    rnd_pseudo_destroy(&p);
    assert_null(p);
    rnd_pseudo_destroy(&p);
}

static void pseudonyms_in_text(void **state)
{
    struct rnd_pseudo *p = rnd_pseudo_new("responder");
    json_t *doc = json_loads("{\"rows\":[{\"actor\":\"alice\",\"text\":\"@alice rolled back; bob.smith paged\"},"
                             "{\"text\":\"alert on alice.example.com, alicent, malice, alice.\"}],"
                             "\"who\":\"bob.smith\"}", 0, NULL);
    json_t *rows0 = json_array_get(json_object_get(doc, "rows"), 0);

    (void)state;
    rnd_pseudo_name(p, "alice");
    rnd_pseudo_name(p, "bob.smith");
    rnd_pseudo_name(p, "bob");
    assert_int_equal(rnd_pseudo_json(p, doc), 5);
    assert_string_equal(json_string_value(json_object_get(rows0, "actor")), "responder A");
    assert_string_equal(json_string_value(json_object_get(rows0, "text")),
                        "@responder A rolled back; responder B paged");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "rows"), 1), "text")),
                        "alert on alice.example.com, alicent, malice, responder A.");
    assert_string_equal(json_string_value(json_object_get(doc, "who")), "responder B");
    json_decref(doc);
    rnd_pseudo_destroy(&p);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_rules_table),
        cmocka_unit_test(json_tree_and_summary),
        cmocka_unit_test(bad_rules),
        cmocka_unit_test(literal_dollar_replacement),
        cmocka_unit_test(limit_names_the_rule),
        cmocka_unit_test(pseudonyms_stable),
        cmocka_unit_test(pseudonyms_in_text),
    };

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("rnd_redact", tests, NULL, NULL);
}
