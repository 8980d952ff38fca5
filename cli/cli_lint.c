/* cli_lint.c - `inquest lint`: check postmortem drafts for blame language,
 * weak action items and a complete final review checklist.
 *
 *   inquest lint [--lang auto|en|ja] [--format text|json] [--rules DIR]
 *                [--threshold [TASK=]P] [--no-model] [--list-rules] FILE.md...
 *
 * ("-" reads standard input).  Options and files may come in any order, as
 * with most Unix tools; "--" ends the options, so a file called "-x.md" is
 * given as "-- -x.md".
 *
 * A thin driver: it parses the arguments, finds and loads the rules
 * (review/rev_rules.h, lookup in rev_schemas_find), lints each file with
 * review/rev_lint.h and prints through review/rev_report.h.  Exit status:
 * 0 no findings, 1 findings, 2 usage error, unreadable rules or unreadable
 * input (the other files are still linted).  docs/lint.md is the manual. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rev_doc.h"
#include "rev_file.h"
#include "rev_lint.h"
#include "rev_report.h"
#include "rev_rules.h"

#define LINT_ERR_MAX 512
#define LINT_PATH_MAX 4096
#define LINT_USAGE "lint [--lang auto|en|ja] [--format text|json] [--rules DIR] " \
                   "[--threshold [blame=|weak-action=]P] [--no-model] [--list-rules] FILE.md..."

struct lint_args {
    enum rev_lang lang;
    bool json;
    bool list_rules;
    bool no_model;             /* --no-model */
    double threshold[REV_MODEL_TASKS]; /* --threshold; 0: the rule set's */
    const char *rules_dir;     /* --rules, or NULL */
    char **files;              /* borrowed from argv */
    int nfiles;
};

/* Value of "--name VALUE" or "--name=VALUE" at argv[*i], or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *matched)
{
    size_t n = strlen(name);

    *matched = false;
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=') {
        *matched = true;
        return argv[*i] + n + 1;
    }
    if (strcmp(argv[*i], name) != 0)
        return NULL;
    *matched = true;
    return *i + 1 < argc ? argv[++*i] : NULL;
}

/* "--threshold P" (both tasks) or "--threshold TASK=P", P in (0, 1]. */
static int parse_threshold(const char *v, struct lint_args *a)
{
    const char *eq = strchr(v, '=');
    enum rev_model_task task;
    char name[16], *end;
    double p;

    if (eq) {
        if ((size_t)(eq - v) >= sizeof(name))
            return -EINVAL;
        memcpy(name, v, (size_t)(eq - v));
        name[eq - v] = '\0';
        if (rev_model_task_parse(name, &task) < 0)
            return -EINVAL;
        v = eq + 1;
    }
    errno = 0;
    p = strtod(v, &end);
    if (end == v || *end || errno || !(p > 0 && p <= 1))
        return -EINVAL;
    for (int t = 0; t < REV_MODEL_TASKS; t++)
        if (!eq || t == (int)task)
            a->threshold[t] = p;
    return 0;
}

/* Parse one option at argv[*i].  0, or the exit status 2 after a message. */
static int parse_option(int argc, char **argv, int *i, struct lint_args *a)
{
    const char *v;
    bool m;

    if (strcmp(argv[*i], "--list-rules") == 0) {
        a->list_rules = true;
        return 0;
    }
    if (strcmp(argv[*i], "--no-model") == 0) {
        a->no_model = true;
        return 0;
    }
    if ((v = opt_value(argc, argv, i, "--threshold", &m)) || m) {
        if (!v || parse_threshold(v, a) < 0)
            return cli_usage("lint: --threshold takes P or blame=P or weak-action=P, "
                             "with P in (0, 1]");
        return 0;
    }
    if ((v = opt_value(argc, argv, i, "--lang", &m)) || m) {
        if (!v || rev_lang_parse(v, &a->lang) < 0)
            return cli_usage("lint: --lang takes auto, en or ja");
        return 0;
    }
    if ((v = opt_value(argc, argv, i, "--format", &m)) || m) {
        if (!v || (strcmp(v, "text") && strcmp(v, "json")))
            return cli_usage("lint: --format takes text or json");
        a->json = strcmp(v, "json") == 0;
        return 0;
    }
    if ((v = opt_value(argc, argv, i, "--rules", &m)) || m) {
        if (!v || !*v)
            return cli_usage("lint: --rules takes a directory");
        a->rules_dir = v;
        return 0;
    }
    return cli_usage("lint: unknown option '%s' (usage: %s)", argv[*i], LINT_USAGE);
}

/* Options and files in any order; "--" ends the options.  The files are
 * gathered at the front of argv (it is only ever read behind the cursor). */
static int parse_args(int argc, char **argv, struct lint_args *a)
{
    bool options = true;
    int nf = 0;

    for (int i = 1; i < argc; i++) {
        int r;

        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
            continue;
        }
        if (options && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
            printf("usage: inquest %s\n", LINT_USAGE);
            return 1;
        }
        if (!options || argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
            argv[1 + nf++] = argv[i];
            continue;
        }
        r = parse_option(argc, argv, &i, a);
        if (r)
            return r;
    }
    a->files = argv + 1;
    a->nfiles = nf;
    if (a->nfiles == 0 && !a->list_rules)
        return cli_usage("lint: no file given (usage: %s)", LINT_USAGE);
    if (a->no_model && (a->threshold[0] > 0 || a->threshold[1] > 0))
        return cli_usage("lint: --threshold and --no-model exclude each other");
    return 0;
}

static int load_rules(const struct lint_args *a, struct rev_rules **ret)
{
    char dir[LINT_PATH_MAX], err[LINT_ERR_MAX];
    int r = rev_schemas_find(a->rules_dir, "lint", dir, sizeof(dir), err, sizeof(err));

    if (r >= 0)
        r = rev_rules_load_dir_flags(dir, a->no_model ? REV_RULES_NO_MODEL : 0, ret, err,
                                     sizeof(err));
    if (r < 0)
        fprintf(stderr, "inquest: lint: %s\n", err);
    return r;
}

/* Lint one file and print (text) or collect (JSON) the result.  Returns
 * 0 clean, 1 findings, 2 error. */
static int lint_one(const struct cli_ctx *ctx, const struct lint_args *a,
                    const struct rev_rules *rules, const char *path, json_t *docs)
{
    struct rev_lint_opts opts = { .lang = a->lang, .no_model = a->no_model,
                                  .threshold = { a->threshold[0], a->threshold[1] } };
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    struct rev_result *res = NULL;
    struct rev_doc *doc = NULL;
    char err[LINT_ERR_MAX];
    int r, status = 2;

    r = rev_doc_load(path, name, &doc, err, sizeof(err));
    if (r >= 0)
        r = rev_lint_doc(doc, rules, &opts, &res, err, sizeof(err));
    if (r < 0) {
        fprintf(stderr, "inquest: lint: %s\n", err);
        if (docs && json_array_append_new(docs, rev_report_json_error(name, err)) < 0)
            fprintf(stderr, "inquest: lint: out of memory\n");
        goto out;
    }
    status = rev_result_nfindings(res) ? 1 : 0;
    if (docs)
        r = json_array_append_new(docs, rev_report_json_doc(res)) < 0 ? -ENOMEM : 0;
    else
        r = rev_report_text(stdout, res, !ctx->quiet);
    if (r < 0) {
        fprintf(stderr, "inquest: lint: %s: cannot write the report: %s\n", name, strerror(-r));
        status = 2;
    }
out:
    rev_result_destroy(&res);
    rev_doc_destroy(&doc);
    return status;
}

int cli_lint_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct lint_args a = { .lang = REV_LANG_AUTO };
    struct rev_rules *rules = NULL;
    json_t *docs = NULL;
    int r, status = 0;

    r = parse_args(argc, argv, &a);
    if (r)
        return r == 1 ? 0 : r;
    if (load_rules(&a, &rules) < 0)
        return 2;
    if (a.list_rules) {
        status = rev_report_rules(stdout, rules) < 0 ? 2 : 0;
        goto out;
    }
    if (a.json && !(docs = json_array())) {
        fprintf(stderr, "inquest: lint: out of memory\n");
        status = 2;
        goto out;
    }
    for (int i = 0; i < a.nfiles; i++) {
        int s = lint_one(ctx, &a, rules, a.files[i], docs);

        status = s > status ? s : status;
    }
    if (docs && rev_report_json_write(stdout, docs) < 0) {
        fprintf(stderr, "inquest: lint: cannot write the report\n");
        status = 2;
    }
    if (fflush(stdout) == EOF)
        status = 2;
out:
    json_decref(docs);
    rev_rules_destroy(&rules);
    return status;
}
