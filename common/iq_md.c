/* iq_md.c - a libcmark-gfm parser with GitHub's extensions, the registry
 * filled once per process (see iq_md.h). */
#include "iq_md.h"

#include <pthread.h>
#include <stddef.h>

static const char *const extensions[] = { "table", "tasklist", "strikethrough", "autolink" };

static pthread_once_t ext_once = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

cmark_parser *iq_md_parser_new(int opts)
{
    cmark_parser *parser;

    pthread_once(&ext_once, register_extensions);
    parser = cmark_parser_new(opts);
    if (!parser)
        return NULL;
    for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
        cmark_syntax_extension *ext = cmark_find_syntax_extension(extensions[i]);

        if (ext)
            cmark_parser_attach_syntax_extension(parser, ext);
    }
    return parser;
}
