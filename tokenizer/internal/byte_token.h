// SentencePiece's byte-fallback tokens: "<0xHH>" stands for the one byte
// 0xHH. Read from a local tokenizer.json's vocabulary (Tokenizer::
// TokenLengths) and from an endpoint's token texts (token_texts.cc).
//
//   char b;
//   if (ParseByteToken("<0x0A>", &b)) ...  // b == '\n'
#ifndef TOKCOST_TOKENIZER_INTERNAL_BYTE_TOKEN_H_
#define TOKCOST_TOKENIZER_INTERNAL_BYTE_TOKEN_H_

#include <string_view>

namespace tokcost::tokenizer_internal {

inline constexpr size_t kByteTokenLength = 6;  // "<0xHH>"

// True when `t` is exactly a byte token (hex digits in either case).
inline bool ParseByteToken(std::string_view t, char* byte) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (t.size() != kByteTokenLength || t.substr(0, 3) != "<0x" || t[5] != '>') return false;
  const int hi = hex(t[3]), lo = hex(t[4]);
  if (hi < 0 || lo < 0) return false;
  *byte = static_cast<char>(hi * 16 + lo);
  return true;
}

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_BYTE_TOKEN_H_
