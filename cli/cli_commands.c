/* cli_commands.c - the table of `inquest` subcommands.
 *
 * One row per command: its entry point, synopsis, summary, description and
 * options.  This is the one source of `inquest CMD --help`, of the man
 * pages (tools/gen_man.sh turns the --help text into roff at build time)
 * and of `inquest completion bash|zsh`.  The entry points are declared here
 * rather than in one header per command, to keep adding a command a
 * two-line change. */
#include <stddef.h>

#include "cli.h"

int cli_send_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_import_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_query_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_class_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_events_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_incidents_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_incident_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_correlate_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_replay_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_tail_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_lint_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_draft_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_keygen_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_backup_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_postmortems_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_followups_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_completion_main(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_commands[] = {
    { "send", cli_send_main, "send [--timeout 10s] [FILE|-]",
      "send canonical events (NDJSON) to inquestd and wait for acknowledgements",
      "Each non-blank line of FILE (or standard input) is one event "
      "(schemas/event.schema.json).  Lines are validated first, so a typo is reported with its "
      "line number; valid events are sent in batches over ZeroMQ and re-sent until inquestd "
      "acknowledges them.  Exit 1 when an event was rejected, 4 when inquestd gave no "
      "acknowledgement within --timeout.",
      "--timeout DURATION\tgive up when inquestd acknowledges nothing for this long "
      "(default 10s)\n"
      "--give-up DURATION\tsame as --timeout\n" },
    { "events", cli_events_main, "events [--since T] [--until T] [--service S] [--kind K] [--json]",
      "list stored events",
      "Reads the data directory (--data) read-only, beside a running inquestd, or asks "
      "inquestd's API with --http (and a read token), with the same output.  Times are RFC "
      "3339 with an offset, or relative: -2h, now.",
      "--since T\tonly events at or after T\n"
      "--until T\tonly events before T\n"
      "--service S\tonly events of service S\n"
      "--kind K\tonly events of kind K (alert, deploy, log, chat, ...)\n"
      "--json\tone JSON event per line\n"
      "--timeout DURATION\twith --http: give up when inquestd has not answered for this long "
      "(default 10s)\n" },
    { "incidents", cli_incidents_main, "incidents [--since T] [--unattached] [--json]",
      "list the incidents the correlator derived (--unattached: evidence that joined none)",
      "Reads --data, or inquestd's API with --http (and a read token), with the same output.",
      "--since T\tonly incidents that started at or after T\n"
      "--unattached\tlist the events that joined no incident instead\n"
      "--json\tJSON output\n"
      "--timeout DURATION\twith --http: give up when inquestd has not answered for this long "
      "(default 10s)\n" },
    { "incident", cli_incident_main,
      "incident show ID [--json] | merge A B | split A --at T|--service S | set A FIELD=VALUE | attach A EVENT_ID",
      "show an incident, or record a manual correction (an audited note)",
      "show prints one incident (from --data, or from inquestd's API with --http and a read "
      "token); merge, split, set and attach record a correction as an "
      "audited note, sent to inquestd (over --http with a token, or over ZeroMQ).  An unknown "
      "incident id exits 3.",
      "--json\tshow: JSON output\n"
      "--at T\tsplit: the events at or after T form the new incident\n"
      "--service S\tsplit: the events of service S form the new incident\n"
      "--timeout DURATION\twith --http: give up when inquestd has not answered for this long "
      "(default 10s)\n" },
    { "correlate", cli_correlate_main, "correlate --rebuild|--diff [--since T]",
      "re-derive incidents from stored events (--diff: only show what would change)",
      "--diff exits 1 when the incidents would change.",
      "--rebuild\tre-derive and store the incidents\n"
      "--diff\tprint what a rebuild would change, store nothing\n"
      "--since T\tonly from events at or after T\n" },
    { "replay", cli_replay_main, "replay [--sources DIR] [--timeout 10s] FILE|-",
      "re-ingest recorded webhook deliveries (NDJSON) through the source mappings",
      "Each line is one recorded delivery (inquestd --record): it is mapped by the same source "
      "rules as the HTTP endpoints and the events are sent to inquestd.  Secrets come from the "
      "sources section of --config.  Exit 1 when a delivery was refused or an event rejected, "
      "4 when inquestd gave no acknowledgement within --timeout.",
      "--sources DIR\tsource mapping files (default the installed schemas/sources)\n"
      "--timeout DURATION\tgive up when inquestd acknowledges nothing for this long "
      "(default 10s)\n"
      "--give-up DURATION\tsame as --timeout\n" },
    { "lint", cli_lint_main,
      "lint [--lang auto|en|ja] [--format text|json] [--rules DIR] [--threshold P] [--no-model] [--list-rules] FILE.md...",
      "check postmortem drafts for blame language and weak action items",
      "Exit 1 when a finding was reported.",
      "--lang L\tauto (default), en or ja\n"
      "--format F\ttext (default) or json\n"
      "--rules DIR\tthe lint rule set (default the installed schemas/lint)\n"
      "--threshold P\tmodel threshold, P or blame=P or weak-action=P\n"
      "--no-model\trules only, without the statistical model\n"
      "--list-rules\tprint the rules and exit\n" },
    { "tail", cli_tail_main, "tail FILE... [--rules FILE|DIR]... [--service S] [--state FILE|--no-state] [--once]",
      "follow log files, send error lines and error-rate changes to inquestd",
      "The full option list is in docs/tail.md.",
      "--rules FILE|DIR\tlog rules (default the installed schemas/logs); repeatable\n"
      "--rule NAMES\tonly these rules, comma-separated\n"
      "--service S\tthe service of the events\n"
      "--state FILE\twhere the read offsets are kept\n"
      "--no-state\tkeep no offsets\n"
      "--error-threshold N\terror lines per window that make an error-rate event\n"
      "--error-grace DURATION\thow long the rate stays high before it is reported\n"
      "--line-max SIZE\tlongest line read\n"
      "--from-end\tstart new files at their end\n"
      "--once\tread to the end of every file, then exit\n"
      "--send-unparsed\tsend lines no rule matched as well\n"
      "--poll DURATION\thow often the files are checked\n"
      "--give-up DURATION\tgive up when inquestd acknowledges nothing for this long\n" },
    { "draft", cli_draft_main,
      "draft ID [--template NAME|FILE] [--format md|json|html|svg] [--audience internal|external] [--pseudonymize] [--redact] [-o FILE | --diff FILE]",
      "draft the blameless postmortem of an incident",
      "The second form, draft --incident-file FILE [--events-file FILE], renders an incident "
      "kept elsewhere.  With --http (and a read token) inquestd renders the draft with the same "
      "options and its own drafts config; the template is then a name.  An unknown incident id "
      "exits 3.  --diff FILE compares the facts of "
      "FILE (a draft as inquestd wrote it, perhaps edited by hand since) with the draft as it "
      "would be written now, leaving out the front matter and the sections left to people: "
      "exit 0 when they are the same, 1 with a unified diff when they differ.",
      "--template NAME|FILE\ttemplate name (en, ja, ...) or a template file\n"
      "--format F\tmd (default), json, html or svg (the timeline)\n"
      "--audience A\tinternal (default) or external\n"
      "--pseudonymize\treplace people's names by stable pseudonyms\n"
      "--redact\tremove secrets, addresses and tokens from quoted text\n"
      "--output FILE\twrite FILE atomically instead of standard output\n"
      "-o FILE\tsame as --output\n"
      "--diff FILE\tshow what changed in the facts since FILE (exit 1 when something did)\n"
      "--incident-file FILE\trender this incident JSON instead of a stored one\n"
      "--events-file FILE\tthe events (NDJSON) of --incident-file\n"
      "--timeout DURATION\twith --http: give up when inquestd has not answered for this long "
      "(default 10s)\n" },
    { "postmortems", cli_postmortems_main, "postmortems sync DIR [--now T] | list [--json] | show ID [--json]",
      "read finished postmortems (Markdown with front matter) back: status, classes, action items",
      "sync reads every Markdown file below DIR (docs/followups.md); an unknown incident or a "
      "malformed front matter is reported and the others are still read (exit 1).  inquestd "
      "must not be running on the data directory (it syncs postmortems_dir itself).  list and "
      "show read --data, or inquestd's API with --http (and a read token), with the same output.",
      "--now T\tthe time the sync is recorded at (default now)\n"
      "--json\tJSON output (list, show)\n"
      "--timeout DURATION\tlist, show with --http: give up when inquestd has not answered for "
      "this long (default 10s)\n" },
    { "followups", cli_followups_main, "followups [--overdue] [--owner O] [--service S] [--unpublished-after 7d] [--now T] [--format table|json|csv]",
      "action items of the synced postmortems, follow-up reviews due, postmortems not published",
      "Every action item across the synced postmortems, the follow-up reviews due 30 and 60 days "
      "after resolution, and postmortems still unpublished (docs/followups.md).  Reads --data, "
      "or inquestd's API with --http (and a read token), with the same output.",
      "--overdue\tonly what is overdue\n"
      "--owner O\tonly items of this owner\n"
      "--service S\tonly incidents of this service\n"
      "--unpublished-after DURATION\tlist postmortems unpublished this long after resolution "
      "(default 7d)\n"
      "--now T\tthe time to judge against (default now)\n"
      "--format F\ttable (default), json or csv\n"
      "--timeout DURATION\twith --http: give up when inquestd has not answered for this long "
      "(default 10s)\n" },
    { "import", cli_import_main, "import [--timeout 10s] [--no-progress] statuspage FILE | slack-export DIR",
      "import past incidents: a Statuspage incidents.json or a Slack workspace export",
      "The events are sent to inquestd.  Exit 1 when an event was rejected, 4 when inquestd "
      "gave no acknowledgement within --timeout.",
      "--timeout DURATION\tgive up when inquestd acknowledges nothing for this long "
      "(default 10s)\n"
      "--give-up DURATION\tsame as --timeout\n"
      "--no-progress\tno progress lines on standard error\n" },
    { "query", cli_query_main,
      "query [recurring [--window 90d]] [--since T] [--until T] [--service S] [--class C] [--severity S] [--group-by class|service|month|week] [--format table|csv|json]",
      "cross-incident statistics (MTTD/MTTA/MTTM/MTTR, impact) and recurring failures",
      "Reads --data, or inquestd's API with --http (and a read token; the daemon's taxonomy "
      "applies), with the same output.",
      "--since T\tincidents that started at or after T\n"
      "--until T\tincidents that started before T\n"
      "--service S\tonly incidents of service S\n"
      "--class C\tonly incidents of failure class C\n"
      "--severity S\tonly incidents of severity S\n"
      "--group-by G\tclass, service, month or week\n"
      "--format F\ttable (default), csv or json\n"
      "--window DURATION\trecurring: how far back a repeat counts (default 90d)\n"
      "--classes FILE\tthe failure class taxonomy (default the installed one)\n"
      "--timeout DURATION\twith --http: give up when inquestd has not answered for this long "
      "(default 10s)\n" },
    { "class", cli_class_main, "class list | show ID [--json] | set|remove ID CLASS",
      "failure classes of an incident; set or remove one by hand (an audited note)",
      "list and show read --data (and the taxonomy of --config and --classes), or inquestd's "
      "API with --http (and a read token; the daemon's taxonomy applies), with the same output.",
      "--json\tshow: JSON output\n"
      "--force\tset: a class outside the taxonomy\n"
      "--classes FILE\tthe failure class taxonomy\n"
      "--give-up DURATION\tgive up when inquestd acknowledges nothing for this long\n"
      "--timeout DURATION\tlist, show with --http: give up when inquestd has not answered for "
      "this long (default 10s)\n" },
    { "keygen", cli_keygen_main, "keygen PATH",
      "make a CurveZMQ key pair: PATH.key (secret, 0600) and PATH.pub", NULL, NULL },
    { "backup", cli_backup_main, "backup DEST",
      "a consistent copy of the store, taken by inquestd while it runs (restore: inquestd --data DEST)",
      "DEST must not exist or be empty.  When inquestd has the store open, it takes the backup "
      "itself when asked over --http with an admin token.  See docs/operations.md, \"Backup "
      "and restore\".", NULL },
    { "completion", cli_completion_main, "completion bash|zsh",
      "print the shell completion script for bash or zsh",
      "Load it with: source <(inquest completion bash), or install it (make install does).",
      NULL },
    { NULL, NULL, NULL, NULL, NULL, NULL },
};
