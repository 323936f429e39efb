#include "tokenizer/internal/normalizer.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

namespace tokcost::tokenizer_internal {
namespace {

// Text with no byte >= 0xCC holds only code points below U+0300, which are
// all NFC-stable and never compose with each other.
bool TriviallyNfc(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0xCC) return false;
  }
  return true;
}

bool Nfc(std::string_view text, std::string* out) {
  if (TriviallyNfc(text)) return false;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return false;
  icu::StringPiece piece(text.data(), static_cast<int32_t>(text.size()));
  if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return false;
  status = U_ZERO_ERROR;
  std::string result;
  icu::StringByteSink<std::string> sink(&result);
  nfc->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) return false;
  *out = std::move(result);
  return true;
}

bool Replace(std::string_view text, const std::string& pattern,
             const std::string& content, std::string* out) {
  size_t hit = text.find(pattern);
  if (pattern.empty() || hit == std::string_view::npos) return false;
  std::string result;
  result.reserve(text.size() + text.size() / 4);
  size_t start = 0;
  while (hit != std::string_view::npos) {
    result.append(text.substr(start, hit - start));
    result.append(content);
    start = hit + pattern.size();
    hit = text.find(pattern, start);
  }
  result.append(text.substr(start));
  *out = std::move(result);
  return true;
}

}  // namespace

std::string_view Normalizer::Apply(std::string_view text,
                                   std::string* storage) const {
  std::string_view current = text;
  std::string next;
  for (const Step& step : steps_) {
    bool changed = step.kind == Step::kNfc
                       ? Nfc(current, &next)
                       : Replace(current, step.pattern, step.content, &next);
    if (changed) {
      storage->swap(next);
      current = *storage;
    }
  }
  return current;
}

}  // namespace tokcost::tokenizer_internal
