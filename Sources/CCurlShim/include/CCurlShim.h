#pragma once
#include <curl/curl.h>
/* Placeholder replaced by the HTTP transport's typed wrappers. */
long rbs_curl_version_num(void);
