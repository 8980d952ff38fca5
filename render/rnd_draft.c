/* rnd_draft.c - a postmortem draft of one incident, end to end.
 *
 * Wires the renderer's parts in the order that makes the document
 * blameless by construction: build the view model (rnd_model.c), replace
 * people by their display names, and by pseudonyms everywhere when asked
 * (rnd_people.c, rnd_pseudo.c), for an external audience leave out chat
 * and audit notes, internal links and machine names (rnd_external.c) with
 * pseudonyms always on, redact
 * personal data and secrets when the audience is external or redaction is
 * asked for (rnd_redact.c, rules in schemas/redaction.json), note in the
 * context what was done, then render the template to Markdown, the
 * Markdown to HTML (rnd_html.c) with the visual timeline inline
 * (rnd_svg.h), print the context as JSON, or write the visual timeline
 * alone as SVG.  The timeline is built from the same events with the same
 * people, and its texts go through the same pseudonyms, external rules
 * and redaction as the context, so the picture never says more than the
 * document.
 *
 * Design notes:
 *  - Templates and redaction rules are files found at run time: an explicit
 *    path, else by name under $INQUEST_SCHEMAS, ./schemas, then
 *    /usr/local/share/inquest/schemas (where `make install` puts them).
 *  - Names given for --template are either a path (contains '/' or ends in
 *    ".mustache") or a plain name of [a-z0-9_-]; anything else is refused
 *    so a name cannot walk out of the templates directory.
 *  - Nothing is written anywhere: callers decide where the document goes.
 *  - A Markdown draft opens with YAML front matter (incident, status,
 *    template, generated_at) whatever the template: it is what links the
 *    finished document back to its incident when `inquest postmortems
 *    sync` reads it (postmortem/).  HTML and JSON have none. */
#include "rnd_draft.h"
#include "rnd_local.h"
#include "rnd_external.h"
#include "iq_buf.h"
#include "iq_paths.h"
#include "iq_time.h"
#include "rnd_fmt.h"
#include "rnd_html.h"
#include "rnd_model.h"
#include "rnd_people.h"
#include "rnd_pseudo.h"
#include "rnd_recur.h"
#include "rnd_redact.h"
#include "rnd_svg.h"
#include "rnd_tmpl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


int rnd_format_parse(const char *s, enum rnd_format *ret)
{
    if (strcmp(s, "md") == 0 || strcmp(s, "markdown") == 0)
        *ret = RND_FORMAT_MD;
    else if (strcmp(s, "html") == 0)
        *ret = RND_FORMAT_HTML;
    else if (strcmp(s, "json") == 0)
        *ret = RND_FORMAT_JSON;
    else if (strcmp(s, "svg") == 0)
        *ret = RND_FORMAT_SVG;
    else
        return -EINVAL;
    return 0;
}

const char *rnd_format_ext(enum rnd_format f)
{
    static const char *const ext[] = { "md", "html", "json", "svg" };

    return (unsigned)f < sizeof(ext) / sizeof(ext[0]) ? ext[f] : "md";
}

int rnd_schema_path(const char *schemas_dir, const char *rel, char *buf, size_t size)
{
    if (schemas_dir) {
        if ((size_t)snprintf(buf, size, "%s/%s", schemas_dir, rel) >= size)
            return -ENAMETOOLONG;
        return access(buf, R_OK) == 0 ? 0 : -ENOENT;
    }
    return iq_schemas_find(rel, buf, size, NULL, 0);
}

static int load_template(const struct rnd_draft_opts *o, struct rnd_tmpl **ret, char *err,
                         size_t errsz)
{
    const char *name = o->tmpl ? o->tmpl : "default";
    size_t n = strlen(name);
    char rel[128], path[PATH_MAX];

    if (strchr(name, '/') || (n > 9 && strcmp(name + n - 9, ".mustache") == 0))
        return rnd_tmpl_load_file(name, ret, err, errsz);
    if (n == 0 || n > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n) {
        snprintf(err, errsz, "template name \"%.64s\": use [a-z0-9_-] or a file path", name);
        return -EINVAL;
    }
    snprintf(rel, sizeof(rel), "templates/%s.mustache", name);
    if (rnd_schema_path(o->schemas_dir, rel, path, sizeof(path)) < 0) {
        snprintf(err, errsz, "template '%s': not found in $INQUEST_SCHEMAS/templates, "
                 "./schemas/templates or " IQ_SCHEMAS_INSTALLED "/templates", name);
        return -ENOENT;
    }
    return rnd_tmpl_load_file(path, ret, err, errsz);
}

int rnd_draft_template_check(const char *tmpl, const char *schemas_dir, char *err,
                             size_t errsz)
{
    struct rnd_draft_opts o = { .tmpl = tmpl, .schemas_dir = schemas_dir };
    struct rnd_tmpl *t = NULL;
    int r = load_template(&o, &t, err, errsz);

    rnd_tmpl_destroy(&t);
    return r;
}

/* A YAML scalar: plain when it is made of safe characters, else
 * double-quoted with '"', '\\' and control characters escaped. */
static int yaml_scalar(struct iq_buf *b, const char *s)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-";
    int r = 0;

    if (*s && *s != '-' && strspn(s, safe) == strlen(s))
        return iq_buf_adds(b, s);
    r = iq_buf_addc(b, '"');
    for (; *s && r == 0; s++) {
        if (*s == '"' || *s == '\\')
            r = iq_buf_printf(b, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            r = iq_buf_printf(b, "\\x%02x", (unsigned char)*s);
        else
            r = iq_buf_addc(b, *s);
    }
    return r ? r : iq_buf_addc(b, '"');
}

/* The front matter, then md: the Markdown draft.  The template is named
 * by its name, or by a file's base name without ".mustache".  Caller owns
 * *ret. */
static int with_front_matter(const json_t *incident, const struct rnd_draft_opts *o,
                             const char *md, size_t md_len, char **ret, size_t *ret_len)
{
    const char *id = json_string_value(json_object_get(incident, "id"));
    const char *name = o->tmpl ? o->tmpl : "default", *slash = strrchr(name, '/');
    char at[IQ_TIME_STRLEN], tmpl[128];
    size_t n;
    struct iq_buf b;
    int r;

    name = slash ? slash + 1 : name;
    n = strlen(name);
    if (n > 9 && strcmp(name + n - 9, ".mustache") == 0)
        n -= 9;
    snprintf(tmpl, sizeof(tmpl), "%.*s", (int)n, name);

    iq_time_format(o->generated_at ? o->generated_at : iq_time_now_ms(), at, sizeof(at));
    iq_buf_init(&b, md_len + 4096);
    if ((r = iq_buf_adds(&b, "---\nincident: ")) < 0 || (r = yaml_scalar(&b, id ? id : "")) < 0 ||
        (r = iq_buf_adds(&b, "\nstatus: draft\ntemplate: ")) < 0 ||
        (r = yaml_scalar(&b, tmpl)) < 0 ||
        (r = iq_buf_printf(&b, "\ngenerated_at: %s\n---\n\n", at)) < 0 ||
        (r = iq_buf_add(&b, md, md_len)) < 0 || !(*ret = iq_buf_take(&b, ret_len))) {
        iq_buf_free(&b);
        return r < 0 ? r : -ENOMEM;
    }
    return 0;
}

/* Redact the context and record the summary in it; redact the chart's
 * texts (may be NULL) with the same rules, not counted again: they are
 * the same events' words. */
static int redact(json_t *ctx, json_t *texts, const struct rnd_draft_opts *o, char *err,
                  size_t errsz)
{
    struct rnd_redact_stats st = { 0 }, again = { 0 };
    struct rnd_redact *rd = NULL;
    char path[PATH_MAX];
    int r;

    if (rnd_schema_path(o->schemas_dir, "redaction.json", path, sizeof(path)) < 0) {
        snprintf(err, errsz, "redaction rules: redaction.json not found in the schema directories");
        return -ENOENT;
    }
    if ((r = rnd_redact_load(path, &rd, err, errsz)) < 0)
        return r;
    r = rnd_redact_json(rd, ctx, &st);
    if (r >= 0 && texts)
        r = rnd_redact_json(rd, texts, &again);
    if (r < 0) {
        char why[300];

        rnd_redact_failure(rd, st.fail_rc ? &st : &again, r, why, sizeof(why));
        snprintf(err, errsz, "redaction (%s): %s", path, why);
    } else if (json_object_set_new(ctx, "redaction", rnd_redact_summary(rd, &st)) < 0)
        r = -ENOMEM;
    rnd_redact_destroy(&rd);
    return r < 0 ? r : 0;
}

/* The context, and with ret_chart the visual timeline, both from the
 * events the audience may see, with the same people, pseudonyms, external
 * rules and redaction.  Caller owns *ret and *ret_chart. */
static int draft_build(const json_t *incident, struct iq_event *const *evs, size_t n,
                       const struct rnd_draft_opts *o, json_t **ret, struct rnd_svg **ret_chart,
                       char *err, size_t errsz)
{
    bool pseudo = o->pseudonymize || o->external;
    struct rnd_people *people = NULL;
    struct iq_event **shown = NULL;
    struct rnd_svg *chart = NULL;
    size_t n_shown = n;
    json_t *ctx = NULL, *texts = NULL;
    int r = -ENOMEM;

    err[0] = '\0';
    if (o->external && rnd_external_events(evs, n, &shown, &n_shown) < 0)
        goto out;
    if (!(people = rnd_people_new(o->people, pseudo)))
        goto out;
    if ((r = rnd_model_build(incident, shown ? shown : evs, n_shown, people, &ctx, err, errsz)) < 0 ||
        (ret_chart && (r = rnd_svg_build(incident, shown ? shown : evs, n_shown, people, &chart, err,
                                         errsz)) < 0))
        goto out;
    texts = chart ? rnd_svg_texts(chart) : NULL;
    r = -ENOMEM;
    if (rnd_people_pseudo(people) && (rnd_pseudo_json(rnd_people_pseudo(people), ctx) < 0 ||
                                      (texts && rnd_pseudo_json(rnd_people_pseudo(people), texts) < 0)))
        goto out;
    if (o->recurrence && json_object_set_new(ctx, "recurrence", rnd_recur_view(o->recurrence)) < 0)
        goto out;
    if (o->external && (rnd_external_apply(ctx, evs, n, o->external_links) < 0 ||
                        (texts && rnd_external_apply(texts, evs, n, o->external_links) < 0)))
        goto out;
    if (o->tz && rnd_local_apply(ctx, o->tz) < 0)
        goto out;
    if (json_object_set_new(ctx, "pseudonymized", json_boolean(pseudo)) < 0 ||
        json_object_set_new(ctx, "audience", json_string(o->external ? "external" : "internal")) < 0 ||
        json_object_set_new(ctx, "external", json_boolean(o->external)) < 0)
        goto out;
    if ((o->external || o->redact) && (r = redact(ctx, texts, o, err, errsz)) < 0)
        goto out;
    *ret = ctx;
    ctx = NULL;
    if (ret_chart) {
        *ret_chart = chart;
        chart = NULL;
    }
    r = 0;
out:
    if (r == -ENOMEM && !err[0])
        snprintf(err, errsz, "out of memory building the draft");
    json_decref(ctx);
    rnd_svg_destroy(&chart);
    rnd_people_destroy(&people);
    free(shown);
    return r;
}

int rnd_draft_context(const json_t *incident, struct iq_event *const *evs, size_t n,
                      const struct rnd_draft_opts *o, json_t **ret, char *err, size_t errsz)
{
    return draft_build(incident, evs, n, o, ret, NULL, err, errsz);
}

/* Where the Markdown says the visual timeline is: an http(s) URL made
 * safe for a link, or a plain file name; NULL for anything else. */
static json_t *svg_ref(const char *ref)
{
    size_t n = ref ? strlen(ref) : 0;

    if (!ref)
        return NULL;
    if (strncmp(ref, "http://", 7) == 0 || strncmp(ref, "https://", 8) == 0)
        return rnd_fmt_link(ref);
    if (n == 0 || n > 255 || ref[0] == '.' ||
        strspn(ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
        return NULL;
    return json_string(ref);
}

/* The chart as SVG markup (standalone or for inline use) under the cap. */
static int chart_markup(const struct rnd_svg *chart, unsigned flags, size_t max_out, char **ret,
                        size_t *ret_len, char *err, size_t errsz)
{
    int r = rnd_svg_string(chart, flags, max_out, ret, ret_len);

    if (r < 0)
        snprintf(err, errsz, r == -E2BIG ? "the visual timeline is over the output limit"
                                         : "out of memory writing the visual timeline");
    return r;
}

/* The context (*ret_ctx), the chart when ret_chart is not NULL, and but
 * for JSON and SVG the template's Markdown (*ret_md), all from one build.
 * Caller owns what is returned; nothing on failure. */
static int draft_md(const json_t *incident, struct iq_event *const *evs, size_t n,
                    const struct rnd_draft_opts *o, json_t **ret_ctx, struct rnd_svg **ret_chart,
                    char **ret_md, size_t *ret_md_len, char *err, size_t errsz)
{
    bool md_too = o->format == RND_FORMAT_MD || o->format == RND_FORMAT_HTML;
    struct rnd_svg *chart = NULL;
    struct rnd_tmpl *t = NULL;
    json_t *ctx = NULL, *ref;
    char *md = NULL;
    size_t md_len = 0;
    int r;

    if ((r = draft_build(incident, evs, n, o, &ctx, ret_chart ? &chart : NULL, err, errsz)) < 0 ||
        !md_too)
        goto done;
    r = -ENOMEM;
    if (o->format == RND_FORMAT_MD && (ref = svg_ref(o->svg_ref)) &&
        json_object_set_new(ctx, "timeline_svg", ref) < 0)
        goto done;
    if (chart && json_object_set_new(ctx, "timeline_inline", json_true()) < 0)
        goto done;
    if ((r = load_template(o, &t, err, errsz)) == 0)
        r = rnd_tmpl_render(t, ctx, RND_ESC_MD, o->max_out, &md, &md_len, err, errsz);
done:
    rnd_tmpl_destroy(&t);
    if (r < 0) {
        json_decref(ctx);
        rnd_svg_destroy(&chart);
        return r;
    }
    *ret_ctx = ctx;
    if (ret_chart)
        *ret_chart = chart;
    *ret_md = md;
    *ret_md_len = md_len;
    return 0;
}

int rnd_draft_parts(const json_t *incident, struct iq_event *const *evs, size_t n,
                    const struct rnd_draft_opts *o, unsigned svg_flags, char **ret_md,
                    size_t *ret_md_len, char **ret_svg, size_t *ret_svg_len, char *err,
                    size_t errsz)
{
    struct rnd_draft_opts md = *o;
    struct rnd_svg *chart = NULL;
    json_t *ctx = NULL;
    char *text = NULL, *svg = NULL;
    size_t text_len = 0, svg_len = 0;
    int r;

    err[0] = '\0';
    md.format = RND_FORMAT_HTML;   /* the Markdown an HTML draft is made of */
    if ((r = draft_md(incident, evs, n, &md, &ctx, &chart, &text, &text_len, err, errsz)) < 0 ||
        (r = chart_markup(chart, svg_flags, o->max_out, &svg, &svg_len, err, errsz)) < 0) {
        free(text);
        goto out;
    }
    *ret_md = text;
    *ret_md_len = text_len;
    *ret_svg = svg;
    *ret_svg_len = svg_len;
out:
    json_decref(ctx);
    rnd_svg_destroy(&chart);
    return r;
}

int rnd_draft_render(const json_t *incident, struct iq_event *const *evs, size_t n,
                     const struct rnd_draft_opts *o, char **ret, size_t *ret_len,
                     char *err, size_t errsz)
{
    bool chart_too = o->format == RND_FORMAT_HTML || o->format == RND_FORMAT_SVG;
    struct rnd_svg *chart = NULL;
    json_t *ctx = NULL;
    char *md = NULL, *doc = NULL, *svg = NULL;
    size_t md_len = 0, doc_len = 0, svg_len = 0;
    int r;

    err[0] = '\0';
    if ((r = draft_md(incident, evs, n, o, &ctx, chart_too ? &chart : NULL, &md, &md_len, err,
                      errsz)) < 0)
        goto out;
    switch (o->format) {
    case RND_FORMAT_SVG:
        r = chart_markup(chart, RND_SVG_STANDALONE, o->max_out, &doc, &doc_len, err, errsz);
        break;
    case RND_FORMAT_JSON:
        r = (doc = json_dumps(ctx, JSON_INDENT(2) | JSON_SORT_KEYS)) ? 0 : -ENOMEM;
        doc_len = doc ? strlen(doc) : 0;
        break;
    case RND_FORMAT_MD:
        if ((r = with_front_matter(incident, o, md, md_len, &doc, &doc_len)) < 0)
            snprintf(err, errsz, "draft front matter: %s", strerror(-r));
        break;
    default:
        if ((r = chart_markup(chart, 0, o->max_out, &svg, &svg_len, err, errsz)) < 0)
            break;
        r = rnd_html_page(md, md_len, json_string_value(json_object_get(ctx, "title")), svg,
                          svg_len, o->max_out, &doc, &doc_len);
        if (r < 0)
            snprintf(err, errsz, "HTML rendering: %s", strerror(-r));
        break;
    }
    if (r == -ENOMEM && !err[0])
        snprintf(err, errsz, "out of memory rendering the draft");
    if (r < 0)
        goto out;
    *ret = doc;
    if (ret_len)
        *ret_len = doc_len;
    doc = NULL;
out:
    free(doc);
    free(md);
    free(svg);
    json_decref(ctx);
    rnd_svg_destroy(&chart);
    return r;
}
