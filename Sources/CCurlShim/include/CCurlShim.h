#pragma once
/*
 * rbscron's only door to libcurl.
 *
 * libcurl is not linked: it is loaded with dlopen the first time a command sends something, so the
 * commands that only read the inventory (list, stats, export, completion on every Tab) never pay for
 * mapping and relocating libcurl and the thirty libraries it pulls in (bench/README.md, start-up).
 * Every libcurl function rbscron calls goes through an rbs_curl_* forwarder below; the headers give
 * only types and constants. A forwarder called when libcurl could not be loaded returns the
 * function's failure value (NULL, CURLE_FAILED_INIT, CURLM_INTERNAL_ERROR, CURLUE_OUT_OF_MEMORY).
 *
 * Also: typed wrappers for libcurl's variadic entry points (curl_easy_setopt, curl_easy_getinfo,
 * curl_multi_setopt), which Swift cannot call. One wrapper per argument kind; each refuses an option
 * of the wrong kind with CURLE_BAD_FUNCTION_ARGUMENT / CURLM_UNKNOWN_OPTION instead of letting
 * libcurl read a mistyped vararg.
 */
#include <curl/curl.h>
#include <stddef.h>

/*
 * Loads libcurl once per process: the file RBSCRON_LIBCURL names when it is set, else libcurl.so.4
 * (libcurl.4.dylib on macOS) from the system's library path; then every function rbscron uses, and a
 * version check (7.85.0 or later). Returns 1 when libcurl is usable, 0 otherwise; thread-safe.
 */
int rbs_curl_load(void);
/* Why rbs_curl_load failed, in words (the loader's message, a missing function, an old version); "" when it did not. */
const char *rbs_curl_load_error(void);
/* The oldest libcurl rbscron works with (CURLOPT_PROTOCOLS_STR and CURLOPT_REDIR_PROTOCOLS_STR came in 7.85.0),
 * as LIBCURL_VERSION_NUM. An older one would refuse every transfer with CURLE_UNKNOWN_OPTION. */
#define RBS_CURL_MIN_VERSION_NUM 0x075500
#define RBS_CURL_MIN_VERSION "7.85.0"

/* Forwarders to the libcurl functions of the same name without the rbs_ prefix. */
CURLcode rbs_curl_global_init(long flags);
const char *rbs_curl_easy_strerror(CURLcode code);
CURLU *rbs_curl_url(void);
void rbs_curl_url_cleanup(CURLU *handle);
CURLUcode rbs_curl_url_set(CURLU *handle, CURLUPart what, const char *part, unsigned int flags);
CURLUcode rbs_curl_url_get(CURLU *handle, CURLUPart what, char **part, unsigned int flags);
void rbs_curl_free(void *pointer);
CURL *rbs_curl_easy_init(void);
void rbs_curl_easy_cleanup(CURL *handle);
struct curl_slist *rbs_curl_slist_append(struct curl_slist *list, const char *line);
void rbs_curl_slist_free_all(struct curl_slist *list);
CURLM *rbs_curl_multi_init(void);
CURLMcode rbs_curl_multi_cleanup(CURLM *multi);
CURLMcode rbs_curl_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode rbs_curl_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode rbs_curl_multi_perform(CURLM *multi, int *running);
CURLMcode rbs_curl_multi_poll(CURLM *multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds,
                              int timeout_ms, int *ret);
CURLMcode rbs_curl_multi_wakeup(CURLM *multi);

/* CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this prototype. */
typedef size_t (*rbs_curl_data_callback)(char *data, size_t size, size_t nmemb, void *userdata);
/* CURLOPT_XFERINFOFUNCTION; return non-zero to abort the transfer. */
typedef int (*rbs_curl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                          curl_off_t ultotal, curl_off_t ulnow);

/* curl_easy_setopt, one function per argument kind. */
CURLcode rbs_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode rbs_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode rbs_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode rbs_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode rbs_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode rbs_easy_setopt_data_callback(CURL *handle, CURLoption option, rbs_curl_data_callback callback);
CURLcode rbs_easy_setopt_xferinfo_callback(CURL *handle, rbs_curl_xferinfo_callback callback);

/* curl_easy_getinfo, one function per result kind. */
CURLcode rbs_easy_getinfo_long(CURL *handle, CURLINFO info, long *out);
CURLcode rbs_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out);
CURLcode rbs_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *out);
CURLcode rbs_easy_getinfo_double(CURL *handle, CURLINFO info, double *out);
CURLcode rbs_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **out);

/* curl_multi_setopt, one function per argument kind. */
CURLMcode rbs_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
CURLMcode rbs_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value);
CURLMcode rbs_multi_setopt_off_t(CURLM *multi, CURLMoption option, curl_off_t value);

/*
 * curl_multi_info_read without the CURLMsg union: returns 1 and fills
 * `easy` and `result` for a finished transfer, 0 when no message is left.
 * Messages other than CURLMSG_DONE are skipped.
 */
int rbs_multi_next_done(CURLM *multi, CURL **easy, CURLcode *result);

/* The libcurl version the shim was compiled against (LIBCURL_VERSION_NUM). */
long rbs_curl_version_num(void);
