#include "CCurlShim.h"
long rbs_curl_version_num(void) { return (long)LIBCURL_VERSION_NUM; }
