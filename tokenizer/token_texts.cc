// TokenLengthsInText: where an endpoint's tokens start in the text it
// tokenized, read from the tokens' own texts (declared in endpoint_client.h).
#include <string>

#include "tokenizer/endpoint_client.h"
#include "tokenizer/internal/byte_token.h"

namespace tokcost {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581, SentencePiece's space

// The bytes a token text stands for.
std::string Unescape(std::string_view t) {
  std::string out;
  for (size_t i = 0; i < t.size();) {
    char byte;
    if (t.compare(i, kSpaceMark.size(), kSpaceMark) == 0) {
      out += ' ';
      i += kSpaceMark.size();
    } else if (tokenizer_internal::ParseByteToken(
                   t.substr(i, tokenizer_internal::kByteTokenLength), &byte)) {
      out += byte;
      i += tokenizer_internal::kByteTokenLength;
    } else {
      out += t[i++];
    }
  }
  return out;
}

}  // namespace

StatusOr<std::vector<uint32_t>> TokenLengthsInText(std::string_view text,
                                                   const TokenizeReply& reply) {
  std::vector<uint32_t> lengths;
  lengths.reserve(reply.token_texts.size());
  size_t pos = 0;
  bool first = true;
  for (size_t i = 0; i < reply.token_texts.size(); ++i) {
    if (i < reply.special.size() && reply.special[i]) continue;
    std::string bytes = Unescape(reply.token_texts[i]);
    if (first && !bytes.empty() && bytes[0] == ' ' && text.compare(0, bytes.size(), bytes) != 0) {
      bytes.erase(0, 1);  // the dummy prefix
      if (bytes.empty()) continue;
    }
    first = false;
    if (bytes.empty()) {
      return FailedPreconditionError("token " + std::to_string(i) + " has no text");
    }
    if (text.compare(pos, bytes.size(), bytes) != 0) {
      return FailedPreconditionError("token " + std::to_string(i) +
                                     "'s text does not match the text at byte " +
                                     std::to_string(pos));
    }
    lengths.push_back(static_cast<uint32_t>(bytes.size()));
    pos += bytes.size();
  }
  if (pos != text.size()) {
    return FailedPreconditionError("the tokens' texts cover " + std::to_string(pos) + " of " +
                                   std::to_string(text.size()) + " bytes");
  }
  return lengths;
}

}  // namespace tokcost
