// Scanner behaviour on hand-checked cases; the golden test covers the rest
// through whole-pipeline ids.
#include "tokenizer/internal/pretokenizer.h"

#include <catch2/catch.hpp>

#include "tokenizer/internal/scanner_util.h"

namespace tokcost::tokenizer_internal {
namespace {

std::vector<std::string> Split(const std::string& scanner_name, const std::string& text) {
  StatusOr<MatchFn> match = FindScanner(scanner_name);
  REQUIRE(match.ok());
  PreTokenizer p({PreTokenizer::Stage::Scanner(*match)});
  std::vector<std::string_view> pieces;
  p.Split(text, &pieces);
  return std::vector<std::string>(pieces.begin(), pieces.end());
}

using V = std::vector<std::string>;

TEST_CASE("o200k splits words, newline runs and a space before a word") {
  CHECK(Split("o200k", "Hello world") == V{"Hello", " world"});
  CHECK(Split("o200k", "HELLOworld") == V{"HELLOworld"});
  CHECK(Split("o200k", "  \n\n  x") == V{"  \n\n", " ", " x"});
  CHECK(Split("o200k", "I'M") == V{"I'M"});
  CHECK(Split("o200k", "a/b//\n") == V{"a", "/b", "//\n"});
  CHECK(Split("o200k", "1234567") == V{"123", "456", "7"});
  // Lowercase runs read without decoding, and where they hand over.
  CHECK(Split("o200k", "na\xC3\xAFve test") == V{"na\xC3\xAFve", " test"});
  CHECK(Split("o200k", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\x9C\xD0\xB8\xD1\x80") ==
        V{"\xD0\x9F\xD1\x80\xD0\xB8", "\xD0\x9C\xD0\xB8\xD1\x80"});  // ПриМир
  CHECK(Split("o200k", "\xD1\x9F\xD1\xA0\xD1\xA1") ==
        V{"\xD1\x9F", "\xD1\xA0\xD1\xA1"});  // U+045F (Ll), then U+0460 (Lu) U+0461
  CHECK(Split("o200k", "\xD0\xB0\xCC\x81x") == V{"\xD0\xB0\xCC\x81x"});  // a mark is W
}

TEST_CASE("The fast paths' prefix table agrees with the class table") {
  // kAsciiWordPrefix is written out for constexpr; AsciiClass comes from ICU.
  for (int b = 0; b < 256; ++b) {
    INFO(b);
    const bool prefix = b < 0x80 && !(AsciiClass(static_cast<unsigned char>(b)) & (kL | kN)) &&
                        !IsCrLf(static_cast<char32_t>(b));
    CHECK(kAsciiWordPrefix[b] == prefix);
  }
}

TEST_CASE("cl100k takes trailing whitespace whole; llama3 splits it") {
  CHECK(Split("cl100k", "a \n ") == V{"a", " \n "});
  CHECK(Split("llama3", "a \n ") == V{"a", " \n", " "});
  CHECK(Split("cl100k", "I'M") == V{"I", "'M"});
  CHECK(Split("cl100k", "it'ſ") == V{"it", "'ſ"});
  // Letter runs read without decoding (ASCII, U+0400-U+047F), and past them.
  CHECK(Split("cl100k", "Hi\xD0\x81\xD1\xBF\xD2\x82x") == V{"Hi\xD0\x81\xD1\xBF", "\xD2\x82x"});
  CHECK(Split("cl100k", "a\xC3\xA9" "b c") == V{"a\xC3\xA9" "b", " c"});
}

TEST_CASE("Letter runs of any length end where the regex ends them") {
  // The ASCII runs are found 16 bytes at a time: runs shorter than, equal
  // to and longer than that, ending at the text's end or before a capital,
  // an apostrophe, a digit or a Cyrillic letter.
  for (size_t len : {1, 15, 16, 17, 31, 32, 33, 40}) {
    const std::string w(len, 'q');
    INFO(len);
    CHECK(Split("o200k", w) == V{w});
    CHECK(Split("o200k", " " + w + "Xy") == V{" " + w, "Xy"});
    CHECK(Split("o200k", w + "'s1") == V{w + "'s", "1"});
    CHECK(Split("o200k", w + "\xD0\xB0" "b!") == V{w + "\xD0\xB0" "b", "!"});
    CHECK(Split("cl100k", w + "QQ\xD0\x90" "7") == V{w + "QQ\xD0\x90", "7"});
    CHECK(Split("cl100k", " " + w + "[") == V{" " + w, "["});
  }
  // Two-byte Cyrillic letters, eight at a time: lowercase for o200k (a
  // capital or U+0460 ends the run), any of U+0400-U+047F for cl100k.
  for (size_t letters : {1, 7, 8, 9, 16, 17, 25}) {
    std::string w;
    for (size_t i = 0; i < letters; ++i) w += i % 3 ? "\xD0\xB6" : "\xD1\x8F";  // ж, я
    INFO(letters);
    CHECK(Split("o200k", " " + w) == V{" " + w});
    CHECK(Split("o200k", w + "\xD0\x96" "x") == V{w, "\xD0\x96" "x"});  // Ж
    CHECK(Split("o200k", w + "\xD1\xA0") == V{w, "\xD1\xA0"});         // U+0460
    CHECK(Split("o200k", w + "\xCC\x81" "!") == V{w + "\xCC\x81", "!"});  // a mark is W
    CHECK(Split("cl100k", w + "\xD0\x96\xD1\xBF" ".") == V{w + "\xD0\x96\xD1\xBF", "."});
    CHECK(Split("cl100k", w + "\xD2\x82") == V{w, "\xD2\x82"});  // U+0482, a symbol
  }
}

TEST_CASE("qwen2 isolates single digits") {
  CHECK(Split("qwen2", "12345") == V{"1", "2", "3", "4", "5"});
  CHECK(Split("llama3", "12345") == V{"123", "45"});
}

TEST_CASE("Isolated splits keep the gaps between matches") {
  StatusOr<MatchFn> digits = FindScanner("deepseek_digits");
  StatusOr<MatchFn> words = FindScanner("deepseek_words");
  REQUIRE(digits.ok());
  REQUIRE(words.ok());
  PreTokenizer p({PreTokenizer::Stage::Scanner(*digits), PreTokenizer::Stage::Scanner(*words)});
  std::vector<std::string_view> pieces;
  p.Split("abc  1234", &pieces);
  CHECK(std::vector<std::string>(pieces.begin(), pieces.end()) ==
        V{"abc", "  ", "123", "4"});
}

TEST_CASE("Unknown regexes are refused by name") {
  StatusOr<MatchFn> match = FindScanner("\\w+");
  REQUIRE_FALSE(match.ok());
  CHECK_THAT(match.status().message(), Catch::Contains("\\w+"));
}

TEST_CASE("Literal splits merge the delimiter with the previous piece") {
  PreTokenizer p({PreTokenizer::Stage::Literal(" ")});
  std::vector<std::string_view> pieces;
  p.Split("a b  c", &pieces);
  CHECK(std::vector<std::string>(pieces.begin(), pieces.end()) == V{"a ", "b ", " ", "c"});
}

// "▁" written as M: U+2581, SentencePiece's space mark.
std::string Marks(std::string s) {
  for (size_t at = s.find('M'); at != std::string::npos; at = s.find('M', at + 3)) {
    s.replace(at, 1, "\xE2\x96\x81");
  }
  return s;
}

TEST_CASE("A token has an inner mark when a mark follows another character") {
  CHECK_FALSE(PreTokenizer::HasInnerMark(Marks("Mthe")));
  CHECK_FALSE(PreTokenizer::HasInnerMark(Marks("MMM")));
  CHECK_FALSE(PreTokenizer::HasInnerMark("plain"));
  CHECK(PreTokenizer::HasInnerMark(Marks(">M</")));
  CHECK(PreTokenizer::HasInnerMark(Marks("MaMM")));
  CHECK(PreTokenizer::HasInnerMark(Marks("aM")));
}

TEST_CASE("Mark splits cut before marks that follow other characters, except inside kept tokens") {
  const std::vector<std::string> vocab = {Marks("M"), Marks("Mthe"), Marks("MM"), Marks(">M</"), "a"};
  std::optional<PreTokenizer::Stage> stage = PreTokenizer::MarkSplitStage([&](auto&& f) {
    for (const std::string& t : vocab) f(t);
  });
  REQUIRE(stage.has_value());
  CHECK(stage->keep_whole == V{Marks(">M</")});
  PreTokenizer p({*stage});
  auto split = [&](const std::string& text) {
    const std::string marked = Marks(text);
    std::vector<std::string_view> pieces;
    p.Split(marked, &pieces);
    return std::vector<std::string>(pieces.begin(), pieces.end());
  };
  CHECK(split("MtheMcatMMMsat") == V{Marks("Mthe"), Marks("Mcat"), Marks("MMMsat")});
  CHECK(split("a>M</bM>") == V{Marks("a>M</b"), Marks("M>")});
  CHECK(split("x>MMy") == V{"x>", Marks("MMy")});  // ">MM" is no kept token
  CHECK(split("noMarks") == V{Marks("no"), Marks("Marks")});
  CHECK(split("M") == V{Marks("M")});

  // Too many tokens with inner marks, or no token for the mark itself: no
  // stage, BPE sees whole lines.
  CHECK_FALSE(PreTokenizer::MarkSplitStage(
                  [&](auto&& f) {
                    f(Marks("M"));
                    for (int i = 0; i < 3; ++i) f(Marks("xM") + std::to_string(i));
                  },
                  /*max_keep_whole=*/2)
                  .has_value());
  CHECK_FALSE(PreTokenizer::MarkSplitStage([&](auto&& f) { f(Marks("Mthe")); }).has_value());
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
