// The parts of the endpoint client that need no network: reading a tokenize
// response, and where its tokens start in the text that was sent.
#include "tokenizer/endpoint_client.h"

#include <catch2/catch.hpp>

namespace tokcost {
namespace {

TokenizeReply Reply(const std::vector<std::string>& texts, const std::vector<bool>& special = {}) {
  TokenizeReply r;
  r.tokens = static_cast<int64_t>(texts.size());
  r.token_texts = texts;
  r.special = special.empty() ? std::vector<bool>(texts.size(), false) : special;
  return r;
}

TEST_CASE("A tokenize response keeps each token's text and special flag") {
  StatusOr<TokenizeReply> r = ParseTokenizeResponse(
      R"({"tokens":[{"id":"1","text":"<s>","special":true},{"id":"2","text":"\u2581Привет"},)"
      R"({"id":"3"}],"modelVersion":"v7"})");
  REQUIRE(r.ok());
  CHECK(r->tokens == 3);
  CHECK(r->model_version == "v7");
  CHECK(r->token_texts == std::vector<std::string>{"<s>", "\xE2\x96\x81Привет", ""});
  CHECK(r->special == std::vector<bool>{true, false, false});
  CHECK_FALSE(ParseTokenizeResponse(R"({"tokens":[{"text":"a"}]})").ok());
}

TEST_CASE("Token texts give each token's byte length in the text") {
  const std::string sp = "\xE2\x96\x81";  // U+2581
  // SentencePiece spaces, a dummy prefix on the first token, <0xHH> bytes
  // (here the two bytes of "ё" and a newline), special tokens skipped.
  StatusOr<std::vector<uint32_t>> lengths = TokenLengthsInText(
      "Hello wörld ё\n",
      Reply({"<s>", sp + "Hello", sp + "w", "ö", "rld", sp, "<0xD1>", "<0x91>", "<0x0A>"},
            {true, false, false, false, false, false, false, false, false}));
  REQUIRE(lengths.ok());
  CHECK(*lengths == std::vector<uint32_t>{5, 2, 2, 3, 1, 1, 1, 1});

  // A dummy prefix alone, as its own token.
  lengths = TokenLengthsInText("Да", Reply({sp, "Да"}));
  REQUIRE(lengths.ok());
  CHECK(*lengths == std::vector<uint32_t>{4});
  // A text that starts with a space keeps it.
  lengths = TokenLengthsInText(" a b", Reply({sp + "a", sp + "b"}));
  REQUIRE(lengths.ok());
  CHECK(*lengths == std::vector<uint32_t>{2, 2});
  // Raw spaces work too (byte-level tokenizers' texts).
  lengths = TokenLengthsInText("a b", Reply({"a", " b"}));
  REQUIRE(lengths.ok());
  CHECK(*lengths == std::vector<uint32_t>{1, 2});
}

TEST_CASE("Token texts that do not spell the text are an error that does not quote it") {
  StatusOr<std::vector<uint32_t>> r = TokenLengthsInText("secret plan", Reply({"secret", " plot"}));
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("token 1") && Catch::Contains("byte 6"));
  CHECK_THAT(r.status().message(), !Catch::Contains("plan") && !Catch::Contains("secret"));

  r = TokenLengthsInText("abc", Reply({"a", "b"}));
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("2 of 3 bytes"));
  // Endpoints (or servers) that leave texts empty.
  r = TokenLengthsInText("abc", Reply({"", ""}));
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("no text"));
  // Text that a normalizer changed (NFC: e + combining acute -> é).
  CHECK_FALSE(TokenLengthsInText("e\xCC\x81", Reply({"\xC3\xA9"})).ok());
}

}  // namespace
}  // namespace tokcost
