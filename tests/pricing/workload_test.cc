#include "pricing/workload.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace tokcost {
namespace {

std::string WriteTemp(const std::string& name, const std::string& content) {
  std::string path = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") +
                     "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::vector<Request> ReadAll(const std::string& path, WorkloadFormat format,
                             std::vector<Status>* errors, WorkloadFormat* detected = nullptr) {
  std::istringstream no_stdin;
  StatusOr<std::unique_ptr<WorkloadReader>> r = WorkloadReader::Open(path, format, &no_stdin);
  REQUIRE(r.ok());
  if (detected) *detected = (*r)->format();
  std::vector<Request> out;
  Request req;
  Status error;
  while ((*r)->Next(&req, &error)) {
    if (!error.ok()) {
      errors->push_back(error);
      continue;
    }
    out.push_back(req);
  }
  return out;
}

TEST_CASE("The three JSONL formats and plain text are detected and read alike") {
  const std::string batch =
      R"({"request":[{"role":"system","text":"Be brief."},{"role":"user","text":"Привет"}]})" "\n";
  const std::string completion =
      R"({"modelUri":"gpt://f/yandexgpt-lite/latest","completionOptions":{"maxTokens":"300"},)"
      R"("messages":[{"role":"system","text":"Be brief."},{"role":"user","text":"Привет"}]})" "\n";
  const std::string openai =
      R"({"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Привет"}]}],"max_tokens":300})"
      "\n";
  std::vector<Status> errors;
  WorkloadFormat f;
  auto a = ReadAll(WriteTemp("b.jsonl", batch), WorkloadFormat::kAuto, &errors, &f);
  CHECK(f == WorkloadFormat::kYandexBatch);
  auto b = ReadAll(WriteTemp("c.jsonl", completion), WorkloadFormat::kAuto, &errors, &f);
  CHECK(f == WorkloadFormat::kYandexCompletion);
  auto c = ReadAll(WriteTemp("o.jsonl", openai), WorkloadFormat::kAuto, &errors, &f);
  CHECK(f == WorkloadFormat::kOpenAIChat);
  REQUIRE(errors.empty());
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  REQUIRE(c.size() == 1);
  for (const auto* r : {&a[0], &b[0], &c[0]}) {
    REQUIRE(r->messages.size() == 2);
    CHECK(r->messages[0].role == "system");
    CHECK(r->messages[1].content == "Привет");
  }
  CHECK_FALSE(a[0].max_tokens.has_value());
  CHECK(b[0].max_tokens == 300);
  CHECK(c[0].max_tokens == 300);
  CHECK(b[0].model_uri == "gpt://f/yandexgpt-lite/latest");

  auto text = ReadAll(WriteTemp("p.txt", "line one\n{not json}\n"), WorkloadFormat::kAuto, &errors, &f);
  CHECK(f == WorkloadFormat::kText);
  REQUIRE(text.size() == 1);
  CHECK(text[0].messages[0].content == "line one\n{not json}\n");
}

TEST_CASE("Bad lines name file:line and the reason; reading goes on") {
  const std::string content =
      R"({"request":[{"role":"user","text":"ok"}]})" "\n"
      "{broken json\n"
      "\n"
      R"({"request":[{"role":"user"}]})" "\n"
      R"({"request":[{"role":"user","text":"also ok"}]})" "\n";
  std::vector<Status> errors;
  auto requests = ReadAll(WriteTemp("bad.jsonl", content), WorkloadFormat::kAuto, &errors);
  CHECK(requests.size() == 2);
  REQUIRE(errors.size() == 2);
  CHECK_THAT(errors[0].message(), Catch::Contains("bad.jsonl:2") && Catch::Contains("not a JSON object"));
  CHECK_THAT(errors[1].message(), Catch::Contains("bad.jsonl:4") &&
                                      Catch::Contains("exactly one of text"));
  CHECK(requests[1].location.find("bad.jsonl:5") != std::string::npos);
}

TEST_CASE("A forced format rejects lines of another format") {
  std::vector<Status> errors;
  auto requests = ReadAll(WriteTemp("f.jsonl", R"({"messages":[{"role":"user","content":"x"}]})" "\n"),
                          WorkloadFormat::kYandexBatch, &errors);
  CHECK(requests.empty());
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0].message(), Catch::Contains("yandex-batch"));
}

TEST_CASE("Tool calls count as their JSON text; maxTokens may be a number or string") {
  std::vector<Status> errors;
  auto r = ReadAll(
      WriteTemp("t.jsonl",
                R"({"completionOptions":{"maxTokens":50},"messages":[{"role":"assistant","toolCallList":{"toolCalls":[{"functionCall":{"name":"f"}}]}}]})" "\n"),
      WorkloadFormat::kAuto, &errors);
  REQUIRE(errors.empty());
  REQUIRE(r.size() == 1);
  CHECK(r[0].max_tokens == 50);
  CHECK_THAT(r[0].messages[0].content, Catch::Contains("functionCall"));
}

TEST_CASE("Tool calls keep their JSON text as before: keys sorted, numbers re-printed") {
  // The form nlohmann's dump() gives, which counts were taken from before
  // simdjson read the lines: simdjson's own printing keeps the keys' order.
  std::vector<Status> errors;
  auto r = ReadAll(
      WriteTemp("tools.jsonl",
                R"({"request":[{"role":"assistant","toolCallList":{"b":2.50,"a":[1,1e2,-0.0,true,null,"\u0001é"]}}]})" "\n"
                R"({"request":[{"role":"user","toolResultList":{"z":{},"y":[]}}]})" "\n"),
      WorkloadFormat::kYandexBatch, &errors);
  REQUIRE(errors.empty());
  REQUIRE(r.size() == 2);
  CHECK(r[0].messages[0].content == R"({"a":[1,100.0,-0.0,true,null,"\u0001é"],"b":2.5})");
  CHECK(r[1].messages[0].content == R"({"y":[],"z":{}})");
  auto o = ReadAll(WriteTemp("oai_tools.jsonl",
                             R"({"messages":[{"role":"assistant","content":null,"tool_calls":[{"type":"function","id":"c1"}]}]})" "\n"),
                   WorkloadFormat::kOpenAIChat, &errors);
  REQUIRE(errors.empty());
  REQUIRE(o.size() == 1);
  CHECK(o[0].messages[0].content == R"([{"id":"c1","type":"function"}])");
}

TEST_CASE("Lines with integers beyond 64 bits are read; token limits must be whole numbers") {
  std::vector<Status> errors;
  auto r = ReadAll(
      WriteTemp("limits.jsonl",
                R"({"messages":[{"role":"user","content":"a"}],"seed":123456789012345678901234,"max_tokens":7})" "\n"
                R"({"messages":[{"role":"user","content":"b"}],"max_tokens":-3})" "\n"
                R"({"messages":[{"role":"user","content":"c"}],"max_tokens":9999999999999999999})" "\n"
                R"({"messages":[{"role":"user","content":"d"}],"max_tokens":"12a"})" "\n"
                R"({"messages":[{"role":"user","content":"e"}],"max_completion_tokens":"12","max_tokens":1})" "\n"
                // A key given twice: its last value, as nlohmann read it.
                R"({"messages":[{"role":"user","content":"f","content":"g"}],"max_tokens":5,"max_tokens":8})" "\n"),
      WorkloadFormat::kOpenAIChat, &errors);
  REQUIRE(r.size() == 3);
  CHECK(r[0].messages[0].content == "a");
  CHECK(r[0].max_tokens == 7);
  CHECK(r[1].max_tokens == 12);
  CHECK(r[2].messages[0].content == "g");
  CHECK(r[2].max_tokens == 8);
  REQUIRE(errors.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK_THAT(errors[i].message(), Catch::Contains("limits.jsonl:" + std::to_string(i + 2) + ": max_tokens: expected a whole number"));
  }
}

TEST_CASE("Malformed lines and fields of the wrong type are named") {
  std::vector<Status> errors;
  auto r = ReadAll(
      WriteTemp("types.jsonl",
                R"({"modelUri":5,"messages":[{"role":"user","text":"x"}]})" "\n"
                R"({"messages":[{"role":"user","text":"x"}]} trailing)" "\n"
                "{\"messages\":[{\"role\":\"user\",\"text\":\"\xff\"}]}\n"
                R"({"messages":[{"role":"user","text":"x"}],"completionOptions":{"maxTokens":"20"}})" "\n"
                R"({"messages":[{"role":"user","content":[{"type":"text","text":5}]}]})" "\n"),
      WorkloadFormat::kYandexCompletion, &errors);
  REQUIRE(r.size() == 1);
  CHECK(r[0].max_tokens == 20);
  REQUIRE(errors.size() == 4);
  CHECK_THAT(errors[0].message(), Catch::Contains("types.jsonl:1: modelUri: expected a string"));
  CHECK_THAT(errors[1].message(), Catch::Contains("types.jsonl:2: not a JSON object"));
  CHECK_THAT(errors[2].message(), Catch::Contains("types.jsonl:3: not a JSON object"));
  CHECK_THAT(errors[3].message(), Catch::Contains("types.jsonl:5: messages[0]: expected exactly one of text"));
  auto parts = ReadAll(WriteTemp("parts.jsonl",
                                 R"({"messages":[{"role":"user","content":[{"type":"text","text":5}]}]})" "\n"),
                       WorkloadFormat::kOpenAIChat, &errors);
  CHECK(parts.empty());
  REQUIRE(errors.size() == 5);
  CHECK_THAT(errors[4].message(), Catch::Contains("messages[0].content: a text part's text must be a string"));
}

}  // namespace
}  // namespace tokcost
