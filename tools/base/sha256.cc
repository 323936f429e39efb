#include "tools/base/sha256.h"

#include <openssl/evp.h>

#include "tools/base/shared_library.h"

namespace tokcost {
namespace {

struct DigestApi {
  int (*digest)(const void* data, size_t count, unsigned char* md, unsigned int* size,
                const EVP_MD* type, ENGINE* impl);
  const EVP_MD* (*sha256)();
};

StatusOr<DigestApi> LoadDigestApi() {
  StatusOr<void*> lib = OpenSharedLibrary("libcrypto.so.3", "libssl3");
  if (!lib.ok()) return lib.status();
  DigestApi api{};
  for (Status s : {LoadSymbol(*lib, "EVP_Digest", &api.digest),
                   LoadSymbol(*lib, "EVP_sha256", &api.sha256)}) {
    if (!s.ok()) return s.WithContext("libcrypto.so.3");
  }
  return api;
}

}  // namespace

StatusOr<std::string> Sha256Hex(std::string_view data) {
  static const StatusOr<DigestApi> api = LoadDigestApi();
  if (!api.ok()) return api.status();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (api->digest(data.data(), data.size(), digest, &length, api->sha256(), nullptr) != 1) {
    return InternalError("libcrypto.so.3: EVP_Digest of SHA-256 failed");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

}  // namespace tokcost
