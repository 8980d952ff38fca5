/* cli_commands.c - the table of `inquest` subcommands.
 *
 * One line per command; the entry points are declared here rather than in
 * one header per command, to keep adding a command a two-line change. */
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

const struct cli_command cli_commands[] = {
    { "send",   cli_send_main,   "send [--give-up|--timeout 60s] [FILE|-]",
      "send canonical events (NDJSON) to inquestd and wait for acknowledgements" },
    { "events", cli_events_main, "events [--since T] [--until T] [--service S] [--kind K] [--json]",
      "list stored events" },
    { "incidents", cli_incidents_main, "incidents [--since T] [--unattached] [--json]",
      "list the incidents the correlator derived (--unattached: evidence that joined none)" },
    { "incident", cli_incident_main, "incident show ID [--json] | merge A B | split A --at T|--service S | set A FIELD=VALUE | attach A EVENT_ID",
      "show an incident, or record a manual correction (an audited note)" },
    { "correlate", cli_correlate_main, "correlate --rebuild|--diff [--since T]",
      "re-derive incidents from stored events (--diff: only show what would change)" },
    { "replay", cli_replay_main, "replay [--sources DIR] FILE|-",
      "re-ingest recorded webhook deliveries (NDJSON) through the source mappings" },
    { "lint",   cli_lint_main,   "lint [--lang L] [--format text|json] [--rules DIR] FILE.md...",
      "check postmortem drafts for blame language and weak action items" },
    { "tail",   cli_tail_main,   "tail FILE... [--rules FILE] [--service S] [--state FILE] [--once]",
      "follow log files, send error lines and error-rate changes to inquestd" },
    { "draft",  cli_draft_main,  "draft ID [--template NAME|FILE] [--format md|json|html|svg] [--audience internal|external] [--pseudonymize] [--redact] [-o FILE]",
      "draft the blameless postmortem of an incident" },
    { "postmortems", cli_postmortems_main, "postmortems sync DIR [--now T] | list [--json] | show ID [--json]",
      "read finished postmortems (Markdown with front matter) back: status, classes, action items" },
    { "followups", cli_followups_main, "followups [--overdue] [--owner O] [--service S] [--unpublished-after 7d] [--now T] [--format table|json|csv]",
      "action items of the synced postmortems, follow-up reviews due, postmortems not published" },
    { "import", cli_import_main, "import statuspage FILE | import slack-export DIR",
      "import past incidents: a Statuspage incidents.json or a Slack workspace export" },
    { "query", cli_query_main, "query [recurring [--window 90d]] [--since T] [--until T] [--service S] [--class C] [--severity S] [--group-by class|service|month|week] [--format table|csv|json]",
      "cross-incident statistics (MTTD/MTTA/MTTM/MTTR, impact) and recurring failures" },
    { "class", cli_class_main, "class list | show ID [--json] | set|remove ID CLASS",
      "failure classes of an incident; set or remove one by hand (an audited note)" },
    { "keygen", cli_keygen_main, "keygen PATH",
      "make a CurveZMQ key pair: PATH.key (secret, 0600) and PATH.pub" },
    { "backup", cli_backup_main, "backup DEST",
      "a consistent copy of the store, taken by inquestd while it runs (restore: inquestd --data DEST)" },
    { NULL, NULL, NULL, NULL },
};
