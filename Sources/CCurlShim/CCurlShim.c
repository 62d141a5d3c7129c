#include "CCurlShim.h"

/* CURLoption values are grouped by argument kind in bands of 10000. */
static int option_kind(long option) { return (int)(option / 10000) * 10000; }

CURLcode rbs_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    if (option_kind(option) != CURLOPTTYPE_LONG) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl_easy_setopt(handle, option, value);
}

CURLcode rbs_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    if (option_kind(option) != CURLOPTTYPE_OBJECTPOINT) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl_easy_setopt(handle, option, value);
}

CURLcode rbs_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    if (option_kind(option) != CURLOPTTYPE_OBJECTPOINT) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl_easy_setopt(handle, option, value);
}

CURLcode rbs_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    if (option_kind(option) != CURLOPTTYPE_OBJECTPOINT) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl_easy_setopt(handle, option, value);
}

CURLcode rbs_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    if (option_kind(option) != CURLOPTTYPE_OFF_T) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl_easy_setopt(handle, option, value);
}

CURLcode rbs_easy_setopt_data_callback(CURL *handle, CURLoption option, rbs_curl_data_callback callback) {
    if (option != CURLOPT_WRITEFUNCTION && option != CURLOPT_HEADERFUNCTION) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl_easy_setopt(handle, option, callback);
}

CURLcode rbs_easy_setopt_xferinfo_callback(CURL *handle, rbs_curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

CURLcode rbs_easy_getinfo_long(CURL *handle, CURLINFO info, long *out) {
    if ((info & CURLINFO_TYPEMASK) != CURLINFO_LONG) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl_easy_getinfo(handle, info, out);
}

CURLcode rbs_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out) {
    if ((info & CURLINFO_TYPEMASK) != CURLINFO_STRING) return CURLE_BAD_FUNCTION_ARGUMENT;
    char *value = NULL;
    CURLcode code = curl_easy_getinfo(handle, info, &value);
    *out = value;
    return code;
}

CURLcode rbs_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *out) {
    if ((info & CURLINFO_TYPEMASK) != CURLINFO_OFF_T) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl_easy_getinfo(handle, info, out);
}

CURLcode rbs_easy_getinfo_double(CURL *handle, CURLINFO info, double *out) {
    if ((info & CURLINFO_TYPEMASK) != CURLINFO_DOUBLE) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl_easy_getinfo(handle, info, out);
}

CURLcode rbs_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **out) {
    /* CURLINFO_PRIVATE is a string-typed info that returns the CURLOPT_PRIVATE pointer. */
    if (info != CURLINFO_PRIVATE && (info & CURLINFO_TYPEMASK) != CURLINFO_PTR) return CURLE_BAD_FUNCTION_ARGUMENT;
    return curl_easy_getinfo(handle, info, out);
}

CURLMcode rbs_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    if (option_kind(option) != CURLOPTTYPE_LONG) return CURLM_UNKNOWN_OPTION;
    return curl_multi_setopt(multi, option, value);
}

CURLMcode rbs_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    if (option_kind(option) != CURLOPTTYPE_OBJECTPOINT && option_kind(option) != CURLOPTTYPE_FUNCTIONPOINT)
        return CURLM_UNKNOWN_OPTION;
    return curl_multi_setopt(multi, option, value);
}

CURLMcode rbs_multi_setopt_off_t(CURLM *multi, CURLMoption option, curl_off_t value) {
    if (option_kind(option) != CURLOPTTYPE_OFF_T) return CURLM_UNKNOWN_OPTION;
    return curl_multi_setopt(multi, option, value);
}

int rbs_multi_next_done(CURLM *multi, CURL **easy, CURLcode *result) {
    int queued = 0;
    CURLMsg *message;
    while ((message = curl_multi_info_read(multi, &queued)) != NULL) {
        if (message->msg == CURLMSG_DONE) {
            *easy = message->easy_handle;
            *result = message->data.result;
            return 1;
        }
    }
    return 0;
}

long rbs_curl_version_num(void) { return (long)LIBCURL_VERSION_NUM; }
