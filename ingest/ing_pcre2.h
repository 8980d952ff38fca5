/* ing_pcre2.h - the one place that includes <pcre2.h> for ingest/.
 *
 * pcre2 needs PCRE2_CODE_UNIT_WIDTH defined before its header; defining it
 * here, once, keeps every ingest file on the same 8-bit API. */
#ifndef ING_PCRE2_H
#define ING_PCRE2_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#endif
