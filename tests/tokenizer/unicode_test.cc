// FindInvalidUtf8 against a direct reading of the Unicode standard's table
// of well-formed byte sequences (Table 3-7), on random bytes biased towards
// the edges of every row.
#include "tokenizer/internal/unicode.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

namespace tokcost::tokenizer_internal {
namespace {

// Offset of the first byte that does not start a well-formed sequence.
size_t ReferenceFirstInvalid(const std::string& s) {
  struct Row {
    unsigned char lo, hi;                // first byte
    int len;
    unsigned char second_lo, second_hi;  // second byte
  };
  static const Row kRows[] = {{0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
                              {0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F},
                              {0xEE, 0xEF, 3, 0x80, 0xBF}, {0xF0, 0xF0, 4, 0x90, 0xBF},
                              {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F}};
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    const Row* row = nullptr;
    for (const Row& r : kRows) {
      if (b >= r.lo && b <= r.hi) row = &r;
    }
    if (row == nullptr || i + row->len > s.size()) return i;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < row->second_lo || second > row->second_hi) return i;
    for (int k = 2; k < row->len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    i += row->len;
  }
  return std::string::npos;
}

TEST_CASE("FindInvalidUtf8 finds the first ill-formed sequence") {
  static const unsigned char kBytes[] = {'a', ' ', '7', 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                         0xC0, 0xC1, 0xC2, 0xD0, 0xD1, 0xDF, 0xE0, 0xE1, 0xED,
                                         0xEF, 0xF0, 0xF3, 0xF4, 0xF5, 0xFF};
  // Mostly valid text with a fault now and then, so faults land after long
  // valid stretches (ASCII words, two-byte runs) as well as at the start.
  static const std::string kValid[] = {
      "word ",        "12345678",     "\xD0\x9F\xD1\x80\xD0\xB8", "\xC2\x80",
      "\xDF\xBF",     "\xE2\x82\xAC", "\xF0\x9F\x99\x82",        "\xED\x9F\xBF",
      "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xE0\xA0\x80"};
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int parts = std::uniform_int_distribution<int>(0, 12)(rng);
    for (int k = 0; k < parts; ++k) {
      if (std::uniform_int_distribution<int>(0, 5)(rng) == 0) {
        const size_t b = std::uniform_int_distribution<size_t>(0, std::size(kBytes) - 1)(rng);
        s += static_cast<char>(kBytes[b]);
      } else {
        s += kValid[std::uniform_int_distribution<size_t>(0, std::size(kValid) - 1)(rng)];
      }
    }
    INFO("case " << i << ", " << s.size() << " bytes");
    REQUIRE(FindInvalidUtf8(s) == ReferenceFirstInvalid(s));
  }
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
