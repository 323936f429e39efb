#include "pricing/catalog.h"

#include <catch2/catch.hpp>
#include <set>

#include "tests/test_util.h"

namespace tokcost {
namespace {

const Catalog& Shipped() {
  static const Catalog* c = [] {
    StatusOr<Catalog> c = Catalog::Load(testing::RunfilePath("data/models.json"));
    REQUIRE(c.ok());
    return new Catalog(std::move(*c));
  }();
  return *c;
}

std::string Id(const std::string& name) {
  StatusOr<ResolvedModel> r = Shipped().Resolve(name);
  INFO(name << ": " << r.status().ToString());
  REQUIRE(r.ok());
  return r->model->id;
}

TEST_CASE("The fixed model ids exist") {
  for (const char* id : {"yandexgpt-lite", "yandexgpt-pro-5", "yandexgpt-pro-5.1", "aliceai-llm",
                         "qwen3-235b-a22b", "gpt-oss-120b", "gpt-oss-20b", "gemma-3-27b-it",
                         "llama3.3-70b-instruct"}) {
    CHECK(Id(id) == id);
  }
}

TEST_CASE("Full modelUri forms resolve, fine-tuned models bill as their base") {
  CHECK(Id("gpt://b1gfolder/yandexgpt-lite/latest") == "yandexgpt-lite");
  CHECK(Id("gpt://b1gfolder/yandexgpt-lite") == "yandexgpt-lite");
  CHECK(Id("gpt://b1gfolder/yandexgpt/rc") == "yandexgpt-pro-5.1");
  CHECK(Id("gpt://b1gfolder/yandexgpt/latest") == "yandexgpt-pro-5");
  CHECK(Id("gpt://b1gfolder/qwen3-235b-a22b-fp8/latest") == "qwen3-235b-a22b");
  StatusOr<ResolvedModel> tuned = Shipped().Resolve("gpt://b1gfolder/yandexgpt-lite/latest@tamr1234");
  REQUIRE(tuned.ok());
  CHECK(tuned->fine_tuned);
  CHECK(tuned->folder == "b1gfolder");
  CHECK(tuned->model->id == "yandexgpt-lite");
}

TEST_CASE("Unknown models and malformed URIs are errors") {
  CHECK(Shipped().Resolve("gpt-5").status().code() == StatusCode::kNotFound);
  CHECK(Shipped().Resolve("gpt://nofolder").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Every local model names a known tokenizer and template") {
  StatusOr<std::vector<TokenizerSpec>> specs = LoadTokenizerSpecs(testing::RunfilePath("data/tokenizers.json"));
  REQUIRE(specs.ok());
  std::set<std::string> ids;
  for (const ModelInfo& m : Shipped().models()) {
    CHECK(ids.insert(m.id).second);
    if (!m.CountsThroughEndpoint()) CHECK(FindTokenizerSpec(*specs, m.tokenizer) != nullptr);
    CHECK_FALSE(m.modes.empty());
  }
}

TEST_CASE("A models.json field of the wrong type is an error, not an abort") {
  const std::string path = testing::WriteTempFile(
      "typed_models.json",
      R"({"models": [{"id": "m", "display_name": "M", "uri_name": "m", "tokenizer": "endpoint",)"
      R"( "modes": ["sync"], "note": 5}]})");
  StatusOr<Catalog> c = Catalog::Load(path);
  REQUIRE_FALSE(c.ok());
  CHECK_THAT(c.status().message(), Catch::Contains(path + ": unexpected JSON structure"));
}

}  // namespace
}  // namespace tokcost
