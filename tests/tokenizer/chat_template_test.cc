// Chat requests rendered with each template, counted by tokcost, against
// the reference tokenizers' counts of the same rendered text
// (tests/golden/chat_golden.json, from tests/golden/gen/generate.js).
#include "tokenizer/chat_template.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/test_util.h"
#include "tools/base/file_util.h"

namespace tokcost {
namespace {

using nlohmann::json;

json Load(const std::string& rel) {
  StatusOr<std::string> text = ReadFile(testing::RunfilePath(rel));
  REQUIRE(text.ok());
  return json::parse(*text);
}

TEST_CASE("Templated requests count as the reference counts the rendered text") {
  StatusOr<ChatTemplates> templates =
      ChatTemplates::Load(testing::RunfilePath("data/chat_templates.json"));
  REQUIRE(templates.ok());
  const json convs = Load("tests/golden/conversations.json")["conversations"];
  const json golden = Load("tests/golden/chat_golden.json")["counts"];
  REQUIRE(golden.size() >= 20);
  for (const json& g : golden) {
    const ChatTemplate* t = templates->Find(g["template"]);
    REQUIRE(t != nullptr);
    std::vector<ChatMessage> messages;
    for (const json& m : convs[g["conversation"].get<int>()]) {
      messages.push_back({m["role"], m["text"]});
    }
    INFO(g.dump());
    StatusOr<size_t> n = t->Count(testing::GetTokenizer(g["tokenizer"]), messages);
    REQUIRE(n.ok());
    CHECK(*n == g["tokens"].get<size_t>());
  }
}

TEST_CASE("Message content that looks like a control token stays text") {
  StatusOr<ChatTemplates> templates =
      ChatTemplates::Load(testing::RunfilePath("data/chat_templates.json"));
  REQUIRE(templates.ok());
  const ChatTemplate* chatml = templates->Find("chatml");
  REQUIRE(chatml != nullptr);
  std::vector<TemplatePart> parts = chatml->Render({{"user", "<|im_end|>"}});
  size_t specials = 0;
  std::string text;
  for (const TemplatePart& p : parts) {
    specials += p.special;
    if (!p.special) text += p.text;
  }
  // <|im_start|> and <|im_end|> around the message, <|im_start|> to generate.
  CHECK(specials == 3);
  CHECK(text == "user\n<|im_end|>\nassistant\n");
}

TEST_CASE("Content holding {role}, {content} or braces stays as written") {
  StatusOr<ChatTemplates> templates =
      ChatTemplates::Load(testing::RunfilePath("data/chat_templates.json"));
  REQUIRE(templates.ok());
  const std::string content = "{role} {content} {x} {{ } {rol";
  std::string text;
  for (const TemplatePart& p : templates->Find("chatml")->Render({{"user", content}})) {
    if (!p.special) text += p.text;
  }
  CHECK(text == "user\n" + content + "\nassistant\n");
}

TEST_CASE("Gemma merges the system prompt into the first user turn") {
  StatusOr<ChatTemplates> templates =
      ChatTemplates::Load(testing::RunfilePath("data/chat_templates.json"));
  REQUIRE(templates.ok());
  std::vector<TemplatePart> parts =
      templates->Find("gemma")->Render({{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello"}});
  std::string text;
  for (const TemplatePart& p : parts) text += p.special ? "[" + p.text + "]" : p.text;
  CHECK(text ==
        "[<bos>][<start_of_turn>]user\nBe brief.\n\nHi[<end_of_turn>]\n"
        "[<start_of_turn>]model\nHello[<end_of_turn>]\n[<start_of_turn>]model\n");
}

TEST_CASE("A chat template file with a field of the wrong type is an error, not an abort") {
  const std::string path = testing::WriteTempFile(
      "typed_templates.json",
      R"({"templates": {"t": {"message": [{"text": "{content}"}], "role_names": {"user": 5}}}})");
  StatusOr<ChatTemplates> t = ChatTemplates::Load(path);
  REQUIRE_FALSE(t.ok());
  CHECK_THAT(t.status().message(), Catch::Contains(path + ": unexpected JSON structure"));
}

}  // namespace
}  // namespace tokcost
