// libcurl, opened at the first use (tools/base/shared_library.h says why):
// only commands that call the tokenize endpoint load it.
//
//   StatusOr<const CurlApi*> curl = GetCurlApi();
//   if (!curl.ok()) return curl.status();
//   CURL* easy = (*curl)->easy_init();
//
// The header's types only; no symbol of libcurl is linked. Loaded once per
// process (curl_global_init included); thread-safe.
#ifndef TOKCOST_TOKENIZER_INTERNAL_CURL_API_H_
#define TOKCOST_TOKENIZER_INTERNAL_CURL_API_H_

#include <curl/curl.h>

#include "tools/base/status.h"

namespace tokcost::tokenizer_internal {

// The functions EndpointClient calls, named as in curl.h without "curl_".
struct CurlApi {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL* easy, CURLoption option, ...);
  CURLcode (*easy_getinfo)(CURL* easy, CURLINFO info, ...);
  void (*easy_cleanup)(CURL* easy);
  const char* (*easy_strerror)(CURLcode code);
  curl_slist* (*slist_append)(curl_slist* list, const char* line);
  void (*slist_free_all)(curl_slist* list);
  CURLM* (*multi_init)();
  CURLMcode (*multi_add_handle)(CURLM* multi, CURL* easy);
  CURLMcode (*multi_remove_handle)(CURLM* multi, CURL* easy);
  CURLMcode (*multi_perform)(CURLM* multi, int* running);
  CURLMsg* (*multi_info_read)(CURLM* multi, int* left);
  CURLMcode (*multi_poll)(CURLM* multi, curl_waitfd* extra, unsigned int extra_count,
                          int timeout_ms, int* ret);
  CURLMcode (*multi_cleanup)(CURLM* multi);
};

// libcurl.so.4 (Debian package libcurl4), loaded and initialized at the
// first call; the same answer every call after.
StatusOr<const CurlApi*> GetCurlApi();

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_CURL_API_H_
