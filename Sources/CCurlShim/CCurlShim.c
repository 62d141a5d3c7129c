#include "CCurlShim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Loading libcurl ------------------------------------------------------------------------- */

/* The libcurl functions rbscron calls, once: the pointers below and the names looked up are made from this list. */
#define RBS_CURL_FUNCTIONS(X)                                                                                       \
    X(global_init) X(easy_strerror) X(version_info) X(url) X(url_cleanup) X(url_set) X(url_get) X(free)             \
    X(easy_init) X(easy_cleanup) X(easy_setopt) X(easy_getinfo) X(slist_append) X(slist_free_all) X(multi_init)     \
    X(multi_cleanup) X(multi_add_handle) X(multi_remove_handle) X(multi_perform) X(multi_poll) X(multi_wakeup)     \
    X(multi_setopt) X(multi_info_read)

/* Filled by load_libcurl. Each pointer has the type of the function as the headers compiled against declare it
 * (`api.url_get` is a `__typeof__(curl_url_get) *`), so the compiler checks every forwarded call. */
#define RBS_CURL_SLOT(name) __typeof__(curl_##name) *name;
static struct {
    RBS_CURL_FUNCTIONS(RBS_CURL_SLOT)
} api;
#undef RBS_CURL_SLOT

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_ok;
static char load_error[1024];

#ifdef __APPLE__
#define RBS_DEFAULT_LIBCURL "libcurl.4.dylib"
#else
#define RBS_DEFAULT_LIBCURL "libcurl.so.4"
#endif

static void load_libcurl(void) {
    const char *configured = getenv("RBSCRON_LIBCURL");
    int chosen = configured != NULL && configured[0] != '\0';
    const char *name = chosen ? configured : RBS_DEFAULT_LIBCURL;
    const char *source = chosen ? " (from RBSCRON_LIBCURL)" : "";
    void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load %s%s: %s", name, source, why != NULL ? why : "unknown error");
        return;
    }
#define RBS_CURL_ENTRY(name) {"curl_" #name, (void **)&api.name},
    struct { const char *symbol; void **slot; } table[] = {RBS_CURL_FUNCTIONS(RBS_CURL_ENTRY)};
#undef RBS_CURL_ENTRY
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        void *function = dlsym(library, table[i].symbol);
        if (function == NULL) {
            snprintf(load_error, sizeof load_error, "%s%s has no function %s: it is not libcurl %s or later",
                     name, source, table[i].symbol, RBS_CURL_MIN_VERSION);
            memset(&api, 0, sizeof api);
            dlclose(library);
            return;
        }
        *table[i].slot = function;
    }
    curl_version_info_data *info = api.version_info(CURLVERSION_NOW);
    if (info == NULL || info->version_num < RBS_CURL_MIN_VERSION_NUM) {
        snprintf(load_error, sizeof load_error, "%s%s is libcurl %s; rbscron needs %s or later", name, source,
                 info != NULL && info->version != NULL ? info->version : "of an unknown version", RBS_CURL_MIN_VERSION);
        memset(&api, 0, sizeof api);
        dlclose(library);
        return;
    }
    /* The library stays loaded for the life of the process. */
    load_ok = 1;
}

int rbs_curl_load(void) {
    pthread_once(&load_once, load_libcurl);
    return load_ok;
}

const char *rbs_curl_load_error(void) {
    pthread_once(&load_once, load_libcurl);
    return load_error;
}

/* ---- Forwarders ------------------------------------------------------------------------------ */

CURLcode rbs_curl_global_init(long flags) { return rbs_curl_load() ? api.global_init(flags) : CURLE_FAILED_INIT; }

const char *rbs_curl_easy_strerror(CURLcode code) {
    return rbs_curl_load() ? api.easy_strerror(code) : "libcurl is not loaded";
}

CURLU *rbs_curl_url(void) { return rbs_curl_load() ? api.url() : NULL; }

void rbs_curl_url_cleanup(CURLU *handle) {
    if (rbs_curl_load()) api.url_cleanup(handle);
}

CURLUcode rbs_curl_url_set(CURLU *handle, CURLUPart what, const char *part, unsigned int flags) {
    return rbs_curl_load() ? api.url_set(handle, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode rbs_curl_url_get(CURLU *handle, CURLUPart what, char **part, unsigned int flags) {
    return rbs_curl_load() ? api.url_get(handle, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

void rbs_curl_free(void *pointer) {
    if (rbs_curl_load()) api.free(pointer);
}

CURL *rbs_curl_easy_init(void) { return rbs_curl_load() ? api.easy_init() : NULL; }

void rbs_curl_easy_cleanup(CURL *handle) {
    if (rbs_curl_load()) api.easy_cleanup(handle);
}

struct curl_slist *rbs_curl_slist_append(struct curl_slist *list, const char *line) {
    return rbs_curl_load() ? api.slist_append(list, line) : NULL;
}

void rbs_curl_slist_free_all(struct curl_slist *list) {
    if (rbs_curl_load()) api.slist_free_all(list);
}

CURLM *rbs_curl_multi_init(void) { return rbs_curl_load() ? api.multi_init() : NULL; }

CURLMcode rbs_curl_multi_cleanup(CURLM *multi) {
    return rbs_curl_load() ? api.multi_cleanup(multi) : CURLM_INTERNAL_ERROR;
}

CURLMcode rbs_curl_multi_add_handle(CURLM *multi, CURL *handle) {
    return rbs_curl_load() ? api.multi_add_handle(multi, handle) : CURLM_INTERNAL_ERROR;
}

CURLMcode rbs_curl_multi_remove_handle(CURLM *multi, CURL *handle) {
    return rbs_curl_load() ? api.multi_remove_handle(multi, handle) : CURLM_INTERNAL_ERROR;
}

CURLMcode rbs_curl_multi_perform(CURLM *multi, int *running) {
    return rbs_curl_load() ? api.multi_perform(multi, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode rbs_curl_multi_poll(CURLM *multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms,
                              int *ret) {
    return rbs_curl_load() ? api.multi_poll(multi, extra_fds, extra_nfds, timeout_ms, ret) : CURLM_INTERNAL_ERROR;
}

CURLMcode rbs_curl_multi_wakeup(CURLM *multi) {
    return rbs_curl_load() ? api.multi_wakeup(multi) : CURLM_INTERNAL_ERROR;
}

/* ---- Typed setopt / getinfo ------------------------------------------------------------------ */

/* CURLoption values are grouped by argument kind in bands of 10000. */
static int option_kind(long option) { return (int)(option / 10000) * 10000; }

#define REQUIRE_LIBCURL(failure) \
    do { \
        if (!rbs_curl_load()) return (failure); \
    } while (0)

CURLcode rbs_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    if (option_kind(option) != CURLOPTTYPE_LONG) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, value);
}

CURLcode rbs_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    if (option_kind(option) != CURLOPTTYPE_OBJECTPOINT) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, value);
}

CURLcode rbs_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    if (option_kind(option) != CURLOPTTYPE_OBJECTPOINT) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, value);
}

CURLcode rbs_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    if (option_kind(option) != CURLOPTTYPE_OBJECTPOINT) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, value);
}

CURLcode rbs_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    if (option_kind(option) != CURLOPTTYPE_OFF_T) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, value);
}

CURLcode rbs_easy_setopt_data_callback(CURL *handle, CURLoption option, rbs_curl_data_callback callback) {
    if (option != CURLOPT_WRITEFUNCTION && option != CURLOPT_HEADERFUNCTION) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, callback);
}

CURLcode rbs_easy_setopt_xferinfo_callback(CURL *handle, rbs_curl_xferinfo_callback callback) {
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

CURLcode rbs_easy_getinfo_long(CURL *handle, CURLINFO info, long *out) {
    if ((info & CURLINFO_TYPEMASK) != CURLINFO_LONG) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    return api.easy_getinfo(handle, info, out);
}

CURLcode rbs_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out) {
    if ((info & CURLINFO_TYPEMASK) != CURLINFO_STRING) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    char *value = NULL;
    CURLcode code = api.easy_getinfo(handle, info, &value);
    *out = value;
    return code;
}

CURLcode rbs_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *out) {
    if ((info & CURLINFO_TYPEMASK) != CURLINFO_OFF_T) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    return api.easy_getinfo(handle, info, out);
}

CURLcode rbs_easy_getinfo_double(CURL *handle, CURLINFO info, double *out) {
    if ((info & CURLINFO_TYPEMASK) != CURLINFO_DOUBLE) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    return api.easy_getinfo(handle, info, out);
}

CURLcode rbs_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **out) {
    /* CURLINFO_PRIVATE is a string-typed info that returns the CURLOPT_PRIVATE pointer. */
    if (info != CURLINFO_PRIVATE && (info & CURLINFO_TYPEMASK) != CURLINFO_PTR) return CURLE_BAD_FUNCTION_ARGUMENT;
    REQUIRE_LIBCURL(CURLE_FAILED_INIT);
    if (info == CURLINFO_PRIVATE) { /* libcurl reads a char ** for it */
        char *value = NULL;
        CURLcode code = api.easy_getinfo(handle, info, &value);
        *out = value;
        return code;
    }
    return api.easy_getinfo(handle, info, out);
}

CURLMcode rbs_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    if (option_kind(option) != CURLOPTTYPE_LONG) return CURLM_UNKNOWN_OPTION;
    REQUIRE_LIBCURL(CURLM_INTERNAL_ERROR);
    return api.multi_setopt(multi, option, value);
}

CURLMcode rbs_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    if (option_kind(option) != CURLOPTTYPE_OBJECTPOINT && option_kind(option) != CURLOPTTYPE_FUNCTIONPOINT)
        return CURLM_UNKNOWN_OPTION;
    REQUIRE_LIBCURL(CURLM_INTERNAL_ERROR);
    return api.multi_setopt(multi, option, value);
}

CURLMcode rbs_multi_setopt_off_t(CURLM *multi, CURLMoption option, curl_off_t value) {
    if (option_kind(option) != CURLOPTTYPE_OFF_T) return CURLM_UNKNOWN_OPTION;
    REQUIRE_LIBCURL(CURLM_INTERNAL_ERROR);
    return api.multi_setopt(multi, option, value);
}

int rbs_multi_next_done(CURLM *multi, CURL **easy, CURLcode *result) {
    REQUIRE_LIBCURL(0);
    int queued = 0;
    CURLMsg *message;
    while ((message = api.multi_info_read(multi, &queued)) != NULL) {
        if (message->msg == CURLMSG_DONE) {
            *easy = message->easy_handle;
            *result = message->data.result;
            return 1;
        }
    }
    return 0;
}

long rbs_curl_version_num(void) { return (long)LIBCURL_VERSION_NUM; }
