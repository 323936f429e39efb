#include "tokenizer/internal/normalizer.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// How many bytes of `text` are `b`; sixteen at a time (std::count ran a
// byte at a time at -O2: 7 instructions per byte).
size_t CountByte(std::string_view text, char b) {
  size_t n = 0, i = 0;
#if defined(__SSE2__)
  // Matches are -1 per byte lane, subtracted into byte counters that are
  // summed (_mm_sad_epu8) before any can pass 255. (No popcount: without
  // -mpopcnt it is a libgcc call.)
  const __m128i needle = _mm_set1_epi8(b);
  while (i + 16 <= text.size()) {
    __m128i counts = _mm_setzero_si128();
    for (int k = 0; k < 255 && i + 16 <= text.size(); ++k, i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
      counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(v, needle));
    }
    const __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());
    n += static_cast<size_t>(_mm_cvtsi128_si32(sums)) +
         static_cast<size_t>(_mm_cvtsi128_si32(_mm_srli_si128(sums, 8)));
  }
#endif
  for (; i < text.size(); ++i) n += text[i] == b ? 1 : 0;
  return n;
}

// A one-byte pattern replaced by at most 4 bytes (Gemma 3's space ->
// U+2581) in one pass over the
// bytes into a string sized once: finding and appending around each space
// was 10% of Gemma 3's count of the corpus (string appends and a memchr
// call per word).
bool ReplaceByte(std::string_view text, char pattern, const std::string& content,
                 std::string* out) {
  const size_t hits = CountByte(text, pattern);
  if (hits == 0) return false;
  const size_t size = text.size() - hits + hits * content.size();
  // The replacement is written as one 4-byte store (3 bytes for U+2581)
  // and runs of text 16 bytes at a time, so the string has 16 bytes of
  // slack until the end.
  uint32_t replacement = 0;
  std::memcpy(&replacement, content.data(), content.size());
  std::string result(size + 16, '\0');
  char* o = result.data();
  size_t i = 0;
#if defined(__SSE2__)
  // Each step copies the 16 bytes at i, keeps those before the first
  // pattern byte among them, and writes the replacement there: one step
  // per pattern byte or per 16 bytes without one (a byte loop cost 8.6
  // instructions per byte of Gemma 3's corpus).
  const __m128i needle = _mm_set1_epi8(pattern);
  while (i + 16 <= text.size()) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
    if (mask == 0) {
      o += 16;
      i += 16;
      continue;
    }
    const int k = __builtin_ctz(mask);
    o += k;
    std::memcpy(o, &replacement, 4);
    o += content.size();
    i += static_cast<size_t>(k) + 1;
  }
#endif
  for (; i < text.size(); ++i) {
    if (text[i] != pattern) {
      *o++ = text[i];
    } else {
      std::memcpy(o, &replacement, 4);
      o += content.size();
    }
  }
  result.resize(size);
  *out = std::move(result);
  return true;
}

bool Replace(std::string_view text, const std::string& pattern,
             const std::string& content, std::string* out) {
  if (pattern.size() == 1 && content.size() <= 4) {
    return ReplaceByte(text, pattern[0], content, out);
  }
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
