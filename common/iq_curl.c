/* iq_curl.c - one JSON POST, or one GET, with libcurl (see iq_curl.h).
 *
 * Design notes:
 *  - The easy interface, one handle per request: inquest's outbound
 *    requests are rare (a notice per drafted incident, a note from the
 *    CLI), so simplicity beats connection reuse.
 *  - curl_global_init is not thread-safe on old libcurls; it runs once
 *    under pthread_once.
 *  - Only http and https are allowed (CURLOPT_PROTOCOLS_STR), whatever a
 *    configured URL says, and redirects are not followed: a bearer token is
 *    never sent anywhere but the URL given.
 *  - The answer is kept up to max_answer bytes; more aborts the transfer,
 *    so a hostile server cannot make the CLI allocate without bound.
 *  - The Authorization header is built in a buffer that is wiped before it
 *    is freed. */
#include "iq_curl.h"
#include "iq_buf.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The answer's body, capped at max_answer (0: discarded). */
static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct iq_buf *a = ud;
    size_t k = size * n;

    if (a->max == 0)
        return k;
    return iq_buf_add(a, p, k) < 0 ? 0 : k;
}

/* The request's headers; NULL on OOM.  *authz is the bearer line to wipe. */
static struct curl_slist *headers(const struct iq_post *p, char **authz)
{
    struct curl_slist *h = curl_slist_append(NULL, p->body ? "Content-Type: application/json"
                                                           : "Accept: */*"), *h2;

    *authz = NULL;
    if (!h || !p->bearer)
        return h;
    if (asprintf(authz, "Authorization: Bearer %s", p->bearer) < 0) {
        *authz = NULL;
        curl_slist_free_all(h);
        return NULL;
    }
    if (!(h2 = curl_slist_append(h, *authz))) {
        curl_slist_free_all(h);
        return NULL;
    }
    return h2;
}

/* The request of p: a POST of p->body, or a GET when p->body is NULL. */
static int request(const struct iq_post *p, long *ret_status, char **ret_answer, char *err,
                   size_t errsz)
{
    struct iq_buf ans;
    char *authz = NULL;
    struct curl_slist *hdr;
    CURL *c;
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    long code = 0;

    iq_buf_init(&ans, p->max_answer);
    pthread_once(&curl_once, curl_init_once);
    c = curl_easy_init();
    hdr = headers(p, &authz);
    if (c && hdr) {
        curl_easy_setopt(c, CURLOPT_URL, p->url);
        if (p->body) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, p->body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->len);
        }
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, p->timeout_ms);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_USERAGENT, "inquest");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &ans);
        if (p->cacert)
            curl_easy_setopt(c, CURLOPT_CAINFO, p->cacert);
        rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    }
    if (authz) {
        memset(authz, 0, strlen(authz));
        free(authz);
    }
    curl_slist_free_all(hdr);
    if (c)
        curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        snprintf(err, errsz, "%s", rc == CURLE_WRITE_ERROR ? "answer too long" : curl_easy_strerror(rc));
        iq_buf_free(&ans);
        return rc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EIO;
    }
    *ret_status = code;
    if (ret_answer)
        *ret_answer = ans.p;   /* NULL when nothing arrived */
    else
        iq_buf_free(&ans);
    return 0;
}

int iq_http_post(const struct iq_post *p, long *ret_status, char **ret_answer, char *err,
                 size_t errsz)
{
    if (!p->body) {
        snprintf(err, errsz, "no body to post");
        return -EINVAL;
    }
    return request(p, ret_status, ret_answer, err, errsz);
}

int iq_http_get(const struct iq_post *p, long *ret_status, char **ret_answer, char *err,
                size_t errsz)
{
    struct iq_post g = *p;

    g.body = NULL;
    g.len = 0;
    return request(&g, ret_status, ret_answer, err, errsz);
}
