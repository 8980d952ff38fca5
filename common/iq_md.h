/* iq_md.h - the one place that sets up libcmark-gfm: a Markdown parser
 * with GitHub's extensions (tables, task lists, strikethrough, autolinks).
 *
 * cmark-gfm keeps its extensions in a process-wide registry that is not
 * safe to fill from two threads; iq_md_parser_new fills it once (under
 * pthread_once) for every caller: the renderer's HTML pages and the
 * postmortem reader share it. */
#ifndef IQ_MD_H
#define IQ_MD_H

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

/* A parser with options opts (CMARK_OPT_*) and the four extensions
 * attached.  Caller owns return value (cmark_parser_free); NULL on OOM. */
cmark_parser *iq_md_parser_new(int opts);

#endif
