#include "tokenizer/internal/scanner_util.h"

namespace tokcost::tokenizer_internal {
namespace {

// Lower-cases the ASCII letters of the contraction alphabet, folds U+017F to
// 's', and maps everything else to 0.
char FoldAt(std::string_view s, size_t pos, int* len) {
  if (pos >= s.size()) return 0;
  char32_t cp = DecodeUtf8(s, pos, len);
  if (cp == 0x17F) return 's';
  if (cp < 0x80) {
    char c = static_cast<char>(cp);
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return c;
  }
  return 0;
}

}  // namespace

size_t MatchContraction(std::string_view s, size_t pos) {
  if (pos >= s.size() || s[pos] != '\'') return 0;
  int len1 = 0;
  char a = FoldAt(s, pos + 1, &len1);
  switch (a) {
    case 's': case 't': case 'm': case 'd':
      return 1 + len1;
    case 'r': case 'v': case 'l': {
      int len2 = 0;
      char b = FoldAt(s, pos + 1 + len1, &len2);
      char want = a == 'l' ? 'l' : 'e';
      return b == want ? 1 + len1 + len2 : 0;
    }
    default:
      return 0;
  }
}

}  // namespace tokcost::tokenizer_internal
