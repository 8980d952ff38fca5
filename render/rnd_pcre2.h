/* rnd_pcre2.h - the one place render/ includes <pcre2.h>.
 *
 * pcre2 needs PCRE2_CODE_UNIT_WIDTH before its header; render/ uses the
 * 8-bit (UTF-8) library only. */
#ifndef RND_PCRE2_H
#define RND_PCRE2_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#endif
