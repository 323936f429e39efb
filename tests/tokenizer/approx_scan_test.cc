// The AVX2 scan must count exactly what the scalar reference counts: the
// shipped profiles were fitted on those features.
#include "tokenizer/internal/approx_scan.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>
#include <string>

#include "tools/base/file_util.h"

namespace tokcost::tokenizer_internal {
namespace {

// Bytes of every class, UTF-8 sequences, stray and long runs of
// continuation bytes, and words long enough to cross 64-byte blocks.
std::string RandomText(std::mt19937_64& rng, size_t size) {
  static const std::vector<std::string> kPieces = {
      "a", "Z", "word", "Capital", "WORD", "0", "12345", " ", "\t", "\n", "\r\n", ".", "!?",
      "\xd0\x9f\xd1\x80\xd0\xb8", "\xd0\xb2\xd0\xb5\xd1\x82", "\xc3\xa9", "\xce\xb1",
      "\xe6\x9d\xb1\xe4\xba\xac", "\xe2\x80\x94", "\xf0\x9f\x99\x82", "\x80", "\xbf\xbf\xbf",
      std::string(70, 'x'), std::string(130, '7'), "\xd0\xb0\xd0\xb1\xd0\xb2\xd0\xb3\xd0\xb4",
      std::string(65, '\x80'), "\xff", "\xd0", "\xe3", "\xf0"};
  std::uniform_int_distribution<size_t> pick(0, kPieces.size() - 1);
  std::string s;
  while (s.size() < size) s += kPieces[pick(rng)];
  s.resize(size);
  return s;
}

TEST_CASE("AVX2 scan counts what the scalar scan counts") {
  if (!Avx2Available()) SUCCEED("no AVX2 on this CPU: only the scalar scan runs");
  else {
    std::mt19937_64 rng(42);
    for (int i = 0; i < 3000; ++i) {
      const size_t size = std::uniform_int_distribution<size_t>(0, 700)(rng);
      const std::string text = RandomText(rng, size);
      INFO("case " << i << ", " << size << " bytes");
      REQUIRE(ScanApproxAvx2(text) == ScanApproxScalar(text));
      // Every alignment of the same text against the 64-byte blocks.
      const size_t cut = std::uniform_int_distribution<size_t>(0, 63)(rng);
      if (cut <= text.size()) {
        REQUIRE(ScanApproxAvx2(text.substr(cut)) == ScanApproxScalar(text.substr(cut)));
      }
    }
    const char* corpus_dir = std::getenv("TOKCOST_CORPUS_DIR");
    REQUIRE(corpus_dir != nullptr);
    for (const char* name : {"/mixed_en_ru.txt", "/code.txt"}) {
      StatusOr<std::string> corpus = ReadFile(std::string(corpus_dir) + name);
      REQUIRE(corpus.ok());
      CHECK(ScanApproxAvx2(*corpus) == ScanApproxScalar(*corpus));
    }
  }
}

TEST_CASE("Scan counts runs, words and capitals as documented") {
  // "Привет world 1234\n": a Cyrillic word of 6, a space, a 5-letter word,
  // a space, 4 digits (2 groups of up to 3), a newline.
  const ApproxCounts c = ScanApproxScalar("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 World 1234\n");
  CHECK(c.chars[5] == 6);
  CHECK(c.cyrillic_words[5] == 1);
  CHECK(c.ascii_words[4] == 1);
  CHECK(c.runs[2] == 2);
  CHECK(c.digit_groups == 2);
  CHECK(c.upper == 1);
  CHECK(c.capitalized == 1);
  CHECK(c.runs[3] == 1);
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
