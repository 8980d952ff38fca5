/* ana_pcre2.h - the one place that includes <pcre2.h> for analyze/.
 *
 * pcre2 needs PCRE2_CODE_UNIT_WIDTH defined before its header; defining it
 * here, once, keeps every analyze file on the same 8-bit (UTF-8) API. */
#ifndef ANA_PCRE2_H
#define ANA_PCRE2_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#endif
