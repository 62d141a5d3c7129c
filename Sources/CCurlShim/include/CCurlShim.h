#pragma once
/*
 * Typed wrappers for libcurl's variadic entry points (curl_easy_setopt,
 * curl_easy_getinfo, curl_multi_setopt), which Swift cannot call directly.
 * One wrapper per argument kind; each refuses an option of the wrong kind
 * with CURLE_BAD_FUNCTION_ARGUMENT / CURLM_UNKNOWN_OPTION instead of letting
 * libcurl read a mistyped vararg.
 */
#include <curl/curl.h>
#include <stddef.h>

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
