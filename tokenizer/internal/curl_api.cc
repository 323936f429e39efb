#include "tokenizer/internal/curl_api.h"

#include "tools/base/shared_library.h"

namespace tokcost::tokenizer_internal {
namespace {

StatusOr<CurlApi> LoadCurlApi() {
  StatusOr<void*> lib = OpenSharedLibrary("libcurl.so.4", "libcurl4");
  if (!lib.ok()) return lib.status();
  CurlApi api;
  for (Status s : {
           LoadSymbol(*lib, "curl_global_init", &api.global_init),
           LoadSymbol(*lib, "curl_easy_init", &api.easy_init),
           LoadSymbol(*lib, "curl_easy_setopt", &api.easy_setopt),
           LoadSymbol(*lib, "curl_easy_getinfo", &api.easy_getinfo),
           LoadSymbol(*lib, "curl_easy_cleanup", &api.easy_cleanup),
           LoadSymbol(*lib, "curl_easy_strerror", &api.easy_strerror),
           LoadSymbol(*lib, "curl_slist_append", &api.slist_append),
           LoadSymbol(*lib, "curl_slist_free_all", &api.slist_free_all),
           LoadSymbol(*lib, "curl_multi_init", &api.multi_init),
           LoadSymbol(*lib, "curl_multi_add_handle", &api.multi_add_handle),
           LoadSymbol(*lib, "curl_multi_remove_handle", &api.multi_remove_handle),
           LoadSymbol(*lib, "curl_multi_perform", &api.multi_perform),
           LoadSymbol(*lib, "curl_multi_info_read", &api.multi_info_read),
           LoadSymbol(*lib, "curl_multi_poll", &api.multi_poll),
           LoadSymbol(*lib, "curl_multi_cleanup", &api.multi_cleanup),
       }) {
    if (!s.ok()) return s.WithContext("libcurl.so.4");
  }
  if (CURLcode rc = api.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    return FailedPreconditionError("libcurl.so.4: curl_global_init failed (code " +
                                   std::to_string(static_cast<int>(rc)) + ")");
  }
  return api;
}

}  // namespace

StatusOr<const CurlApi*> GetCurlApi() {
  // Initialized once, under the static's guard; never freed (libcurl stays
  // loaded until exit).
  static const StatusOr<CurlApi>* const loaded = new StatusOr<CurlApi>(LoadCurlApi());
  if (!loaded->ok()) return loaded->status();
  return &**loaded;
}

}  // namespace tokcost::tokenizer_internal
