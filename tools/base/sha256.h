// SHA-256 through libcrypto, opened at the first call (shared_library.h
// says why). Linked statically, OpenSSL 3's digest call pulled in every
// provider's tables: 16,600 of tokcost's 19,200 pointers to relocate at
// every start, and 86 of the 97 pages they sit in copied, though only the
// token cache hashes anything (the binary's code also went 6.6 -> 3.0 MB).
//
//   StatusOr<std::string> hex = Sha256Hex("text");  // 64 hex digits
//
// Thread-safe.
#ifndef TOKCOST_TOOLS_BASE_SHA256_H_
#define TOKCOST_TOOLS_BASE_SHA256_H_

#include <string>
#include <string_view>

#include "tools/base/status.h"

namespace tokcost {

// The SHA-256 of `data` in lowercase hex; an error when libcrypto.so.3
// (Debian package libssl3) cannot be loaded.
StatusOr<std::string> Sha256Hex(std::string_view data);

}  // namespace tokcost

#endif  // TOKCOST_TOOLS_BASE_SHA256_H_
