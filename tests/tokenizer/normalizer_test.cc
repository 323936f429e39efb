// Normalizer: literal replacement (the one-byte fast path, 16 bytes at a
// time, against a plain loop) and text returned unchanged when nothing
// matches.
#include "tokenizer/internal/normalizer.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

namespace tokcost::tokenizer_internal {
namespace {

std::string ReplaceAll(const std::string& text, const std::string& pattern,
                       const std::string& content) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, pattern.size(), pattern) == 0) {
      out += content;
      i += pattern.size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

TEST_CASE("Replacing a byte matches a plain loop at every length and position") {
  std::mt19937 rng(3);
  const std::string letters = "ab \xD0\xBE\n";
  // Empty, shorter than the one-store replacement, U+2581, longer than 4.
  for (const std::string content : {"", "x", "\xE2\x96\x81", "12345"}) {
    const Normalizer n({{Normalizer::Step::kReplace, " ", content}});
    for (int trial = 0; trial < 3000; ++trial) {
      std::string text;
      const size_t size = rng() % 70;
      while (text.size() < size) text += letters[rng() % letters.size()];
      std::string storage;
      const std::string_view got = n.Apply(text, &storage);
      INFO("content \"" << content << "\", text \"" << text << "\"");
      REQUIRE(std::string(got) == ReplaceAll(text, " ", content));
      if (text.find(' ') == std::string::npos) CHECK(got.data() == text.data());
    }
  }
}

TEST_CASE("Replacing a longer pattern") {
  const Normalizer n({{Normalizer::Step::kReplace, "ab", "X"}});
  std::string storage;
  CHECK(n.Apply("abcab aab", &storage) == "XcX aX");
  CHECK(n.Apply("a b", &storage) == "a b");
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
