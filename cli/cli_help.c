/* cli_help.c - `inquest --help`, `inquest CMD --help` and `inquest
 * completion bash|zsh`, all printed from the command table (cli.h).
 *
 * The --help text has a fixed shape that tools/gen_man.sh turns into the
 * man pages at build time: a "usage:" line, the summary, the description,
 * then "options:" (and "commands:" for the tool itself) with each entry on
 * a line indented by two blanks and its help on the lines below, indented
 * by six.  The completion scripts take the command names and each
 * command's option names from the same rows, so --help, the man pages and
 * the completions cannot disagree. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_exit.h"
#include "cli_help.h"

const char cli_global_options[] =
    "--zmq ENDPOINT\tingest endpoint of inquestd (default tcp://127.0.0.1:7701, or INQUEST_ZMQ)\n"
    "--zmq-key FILE\tCurveZMQ: this client's secret key file (inquest keygen)\n"
    "--zmq-server-key FILE\tCurveZMQ: the public key file of inquestd's zmq_curve_key\n"
    "--data DIR\tdata directory, read offline (default ./inquest-data, or INQUEST_DATA)\n"
    "--http URL\tinquestd HTTP API (default http://127.0.0.1:7700, or INQUEST_HTTP): notes "
    "and backups with a token; given (or INQUEST_HTTP set), the reading commands ask it "
    "instead of reading --data\n"
    "--config FILE\tconfiguration file, as given to inquestd (or INQUEST_CONFIG)\n"
    "--token-file FILE\tbearer token for the HTTP API (or INQUEST_TOKEN)\n"
    "--cacert FILE\tCA certificates for an https:// --http (or INQUEST_CACERT)\n"
    "--tz ZONE\tshow local times in ZONE (Asia/Tokyo, ...) beside UTC, in tables and drafts "
    "(or TZ)\n"
    "--log-format F\ttext (default), logfmt or json, for the lines it logs\n"
    "--quiet\tfewer messages\n"
    "--version\tprint the version and exit\n";

/* Print text wrapped at 76 columns, each line after indent blanks. */
static void wrap(FILE *f, const char *text, size_t len, int indent)
{
    const char *p = text, *end = text + len;
    int col = 0;

    while (p < end) {
        const char *w = p;
        size_t n;

        while (w < end && *w != ' ')
            w++;
        n = (size_t)(w - p);
        if (col && col + 1 + (int)n > 76) {
            fputc('\n', f);
            col = 0;
        }
        if (!col)
            col = fprintf(f, "%*s", indent, "");
        else
            col += fprintf(f, " ");
        col += fprintf(f, "%.*s", (int)n, p);
        p = w;
        while (p < end && *p == ' ')
            p++;
    }
    if (col)
        fputc('\n', f);
}

/* The "FLAG\thelp\n" lines of opts, in the --help shape. */
static void print_options(FILE *f, const char *opts)
{
    for (const char *p = opts; p && *p;) {
        const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');

        if (!nl)
            nl = p + strlen(p);
        if (!tab || tab > nl)
            tab = nl;
        fprintf(f, "  %.*s\n", (int)(tab - p), p);
        if (tab < nl)
            wrap(f, tab + 1, (size_t)(nl - tab - 1), 6);
        p = *nl ? nl + 1 : nl;
    }
}

void cli_help_tool(FILE *f, const struct cli_command *cmds)
{
    static const char about[] =
        "Options go anywhere on the line, before or after the command and its arguments; -- "
        "ends them.  Every command answers --help.  Exit status: 0 ok, 1 findings or "
        "differences, 2 usage, 3 not found, 4 inquestd or the store unavailable.";

    fprintf(f, "usage: inquest [OPTIONS] COMMAND [ARGS]\n\n"
               "turn incident signals into a drafted blameless postmortem\n\n");
    wrap(f, about, strlen(about), 0);
    fprintf(f, "\noptions:\n");
    print_options(f, cli_global_options);
    print_options(f, "--help\tthis help (also -h); COMMAND --help for a command's\n");
    fprintf(f, "\ncommands:\n");
    for (const struct cli_command *c = cmds; c->name; c++) {
        fprintf(f, "  %s\n", c->usage);
        wrap(f, c->summary, strlen(c->summary), 6);
    }
}

void cli_help_command(FILE *f, const struct cli_command *c)
{
    fprintf(f, "usage: inquest [OPTIONS] %s\n\n", c->usage);
    wrap(f, c->summary, strlen(c->summary), 0);
    if (c->description) {
        fputc('\n', f);
        wrap(f, c->description, strlen(c->description), 0);
    }
    fprintf(f, "\noptions:\n");
    print_options(f, c->options);
    print_options(f, "--help\tthis help (also -h); inquest --help for the global OPTIONS\n");
}

/* The option names of opts, each followed by sep. */
static void option_names(FILE *f, const char *opts, const char *sep)
{
    for (const char *p = opts; p && *p;) {
        size_t n = strcspn(p, " \t\n");

        fprintf(f, "%.*s%s", (int)n, p, sep);
        p = strchr(p, '\n');
        p = p ? p + 1 : "";
    }
}

/* The global options that take a value, as a shell case pattern. */
static void value_globals(FILE *f)
{
    const char *sep = "";

    for (const char *p = cli_global_options; *p;) {
        size_t n = strcspn(p, " \t\n");

        if (p[n] == ' ') {
            fprintf(f, "%s%.*s", sep, (int)n, p);
            sep = "|";
        }
        p = strchr(p, '\n') + 1;
    }
}

static void completion_bash(FILE *f, const struct cli_command *cmds)
{
    fprintf(f, "# bash completion for inquest (inquest completion bash)\n"
               "_inquest() {\n"
               "    local cur=${COMP_WORDS[COMP_CWORD]} cmd= i opts\n"
               "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
               "        case ${COMP_WORDS[i]} in\n"
               "        ");
    value_globals(f);
    fprintf(f, ") ((i++)) ;;\n"
               "        -*) ;;\n"
               "        *) cmd=${COMP_WORDS[i]}; break ;;\n"
               "        esac\n"
               "    done\n"
               "    case $cmd in\n"
               "    '') opts=\"");
    option_names(f, cli_global_options, " ");
    fprintf(f, "--help\"\n"
               "        if [[ $cur != -* ]]; then\n"
               "            COMPREPLY=($(compgen -W \"");
    for (const struct cli_command *c = cmds; c->name; c++)
        fprintf(f, "%s%s", c->name, c[1].name ? " " : "");
    fprintf(f, "\" -- \"$cur\"))\n"
               "            return\n"
               "        fi ;;\n");
    for (const struct cli_command *c = cmds; c->name; c++) {
        fprintf(f, "    %s) opts=\"", c->name);
        option_names(f, c->options, " ");
        fprintf(f, "--help\" ;;\n");
    }
    fprintf(f, "    esac\n"
               "    if [[ $cur == -* ]]; then\n"
               "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
               "    else\n"
               "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
               "    fi\n"
               "}\n"
               "complete -o filenames -F _inquest inquest\n");
}

/* s with ':' and '\'' escaped for a zsh _describe entry in single quotes. */
static void zsh_quote(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ':')
            fputs("\\:", f);
        else if (s[i] == '\'')
            fputs("'\\''", f);
        else
            fputc(s[i], f);
    }
}

static void zsh_options(FILE *f, const char *opts)
{
    for (const char *p = opts; p && *p;) {
        size_t n = strcspn(p, " \t\n"), h;
        const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');

        fputs(" '", f);
        zsh_quote(f, p, n);
        if (tab && nl && tab < nl) {
            h = (size_t)(nl - tab - 1);
            fputc(':', f);
            zsh_quote(f, tab + 1, h);
        }
        fputc('\'', f);
        p = nl ? nl + 1 : "";
    }
}

static void completion_zsh(FILE *f, const struct cli_command *cmds)
{
    fprintf(f, "#compdef inquest\n# zsh completion for inquest (inquest completion zsh)\n"
               "_inquest() {\n"
               "    local i cmd\n"
               "    local -a cmds opts\n"
               "    for ((i = 2; i < CURRENT; i++)); do\n"
               "        case $words[i] in\n"
               "        ");
    value_globals(f);
    fprintf(f, ") ((i++)) ;;\n"
               "        -*) ;;\n"
               "        *) cmd=$words[i]; break ;;\n"
               "        esac\n"
               "    done\n"
               "    case $cmd in\n"
               "    '') opts=(");
    zsh_options(f, cli_global_options);
    fprintf(f, " '--help:this help')\n"
               "        cmds=(");
    for (const struct cli_command *c = cmds; c->name; c++) {
        fprintf(f, " '%s:", c->name);
        zsh_quote(f, c->summary, strlen(c->summary));
        fputc('\'', f);
    }
    fprintf(f, ")\n"
               "        if [[ $PREFIX == -* ]]; then _describe option opts; "
               "else _describe command cmds; fi\n"
               "        return ;;\n");
    for (const struct cli_command *c = cmds; c->name; c++) {
        fprintf(f, "    %s) opts=(", c->name);
        zsh_options(f, c->options);
        fprintf(f, " '--help:this help') ;;\n");
    }
    fprintf(f, "    esac\n"
               "    if [[ $PREFIX == -* ]]; then _describe option opts; else _files; fi\n"
               "}\n"
               "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _inquest \"$@\"; "
               "else compdef _inquest inquest; fi\n");
}

int cli_completion_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc != 2)
        return cli_usage("completion: usage: completion bash|zsh");
    if (strcmp(argv[1], "bash") == 0)
        completion_bash(stdout, ctx->commands);
    else if (strcmp(argv[1], "zsh") == 0)
        completion_zsh(stdout, ctx->commands);
    else
        return cli_usage("completion: bash or zsh, not '%s'", argv[1]);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}
