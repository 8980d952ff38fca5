/* iq_curl.h - one JSON POST or one GET over HTTP(S) with libcurl: the
 * single place inquest makes outbound HTTP requests (draft notices from
 * inquestd, the CLI's calls to inquestd's API). */
#ifndef IQ_CURL_H
#define IQ_CURL_H

#include <stddef.h>

struct iq_post {
    const char *url;          /* http:// or https:// only */
    const char *body;         /* JSON, len bytes */
    size_t len;
    const char *bearer;       /* sent as 'Authorization: Bearer ...', or NULL */
    const char *cacert;       /* CA bundle file for https, or NULL: the system's */
    long timeout_ms;          /* whole request */
    size_t max_answer;        /* bytes of the answer kept; 0 discards it */
};

/* POST p->body to p->url as application/json.  Returns 0 once an answer
 * arrived, with its HTTP status in *ret_status and, when max_answer > 0,
 * its body in *ret_answer (NUL-terminated, caller frees; NULL when empty;
 * an answer longer than max_answer is an error).  -EIO with err naming
 * libcurl's reason when no answer arrived (connection, TLS, timeout),
 * -ENOMEM.  Thread-safe; libcurl is initialised once. */
int iq_http_post(const struct iq_post *p, long *ret_status, char **ret_answer, char *err,
                 size_t errsz);

/* GET p->url (p->body and p->len are ignored), with the same bearer,
 * CA bundle, timeout and answer bound, and the same results, as
 * iq_http_post. */
int iq_http_get(const struct iq_post *p, long *ret_status, char **ret_answer, char *err,
                size_t errsz);

#endif
