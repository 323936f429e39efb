// Counting through the tokenize endpoint against the local server: faults,
// retries, the cache, resumption after kill -9, concurrent processes,
// authentication errors, and secrets kept out of every output.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/process_util.h"
#include "tests/test_util.h"

namespace tokcost::testing {
namespace {

using nlohmann::json;

std::string Tmp(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d ? d : "/tmp") + "/" + name;
}

// `n` files: n - 5 distinct texts, the last 5 files repeating the first 5.
std::vector<std::string> WriteTexts(const std::string& dir, int n) {
  REQUIRE(system(("mkdir -p " + dir).c_str()) == 0);
  const std::vector<std::string> words = {"Привет", "мир", "hello", "world", "Қазақ", "🙂", "42",
                                          "tokens", "стоимость", "\n", "  "};
  std::vector<std::string> paths;
  for (int i = 0; i < n; ++i) {
    const int j = i % (n - 5);
    std::string text = "text " + std::to_string(j) + ":";
    for (int k = 0; k < 3 + (j * 7) % 20; ++k) text += " " + words[(j * 31 + k * 17) % words.size()];
    std::string path = dir + "/t" + std::to_string(i) + ".txt";
    std::ofstream(path) << text;
    paths.push_back(path);
  }
  return paths;
}

std::map<std::string, long> Counts(const std::string& jsonl, std::map<std::string, int>* methods = nullptr) {
  std::map<std::string, long> out;
  std::istringstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line);
    out[j["input"]] = j["tokens"].get<long>();
    if (methods) ++(*methods)[j["method"]];
  }
  return out;
}

std::vector<std::string> CountArgs(const LocalServer& server, const std::vector<std::string>& files) {
  std::vector<std::string> argv = {RunfilePath("tools/cli/tokcost"), "count", "--model", "yandexgpt-lite",
                                   "--endpoint", server.url(), "--rate-limit", "2000", "--json"};
  argv.insert(argv.end(), files.begin(), files.end());
  return argv;
}

TEST_CASE("Faults change nothing: counts equal a fault-free run; reruns hit the cache only") {
  const std::vector<std::string> files = WriteTexts(Tmp("texts"), 2000);
  // Reference: a fault-free server and its own cache.
  LocalServer clean({});
  auto env = BaseEnv();
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_clean");
  ProcessResult ref = RunProcess(CountArgs(clean, files), env);
  REQUIRE(ref.exit_code == 0);
  std::map<std::string, long> want = Counts(ref.out);
  REQUIRE(want.size() == files.size());

  LocalServer faulty({"--fail-rate", "0.2", "--fail-status", "503", "--reset-rate", "0.02",
                      "--malformed-rate", "0.02", "--seed", "7"});
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_faulty");
  ProcessResult first = RunProcess(CountArgs(faulty, files), env);
  INFO(first.err.substr(0, 2000));
  REQUIRE(first.exit_code == 0);
  std::map<std::string, int> methods;
  CHECK(Counts(first.out, &methods) == want);
  CHECK(methods["endpoint"] == static_cast<int>(files.size()));
  const long after_first = faulty.Requests();
  // Only faults are retried: a text whose count arrived is never requested
  // again and duplicates are sent once, so the answered requests are the
  // distinct texts plus the one modelVersion probe.
  CHECK(faulty.Faults() > 0);
  CHECK(after_first - faulty.Faults() == static_cast<long>(files.size()) - 5 + 1);

  ProcessResult second = RunProcess(CountArgs(faulty, files), env);
  REQUIRE(second.exit_code == 0);
  methods.clear();
  CHECK(Counts(second.out, &methods) == want);
  CHECK(methods["cache"] == static_cast<int>(files.size()));
  CHECK(faulty.Requests() == after_first);  // zero requests sent
}

TEST_CASE("A killed run resumes from the cache and sends only what is missing") {
  const std::vector<std::string> files = WriteTexts(Tmp("resume"), 400);
  LocalServer server({"--latency-ms", "20"});
  auto env = BaseEnv();
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_resume");
  std::vector<std::string> argv = CountArgs(server, files);
  argv[6] = "--rate-limit";
  argv[7] = "100";
  pid_t pid = StartProcess(argv, env, Tmp("killed.out"));
  // Killed once some answers are in (polled, not a fixed sleep: a loaded
  // machine starts the process slower); 400 texts at 100 rps take 4 s.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (server.Requests() <= 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  const long sent_before = server.Requests();
  REQUIRE(sent_before > 10);
  REQUIRE(sent_before < 400);

  ProcessResult rerun = RunProcess(argv, env);
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  std::map<std::string, int> methods;
  std::map<std::string, long> got = Counts(rerun.out, &methods);
  CHECK(got.size() == files.size());
  CHECK(methods["cache"] > 0);
  // Everything cached before the kill came from the cache; at most the
  // requests in flight at the kill were sent twice.
  CHECK(server.Requests() - sent_before <= static_cast<long>(files.size()) - methods["cache"] + 20);

  LocalServer clean({});
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_resume_ref");
  CHECK(Counts(RunProcess(CountArgs(clean, files), env).out) == got);
}

TEST_CASE("Two processes sharing one cache both finish with correct counts") {
  const std::vector<std::string> files = WriteTexts(Tmp("shared"), 600);
  LocalServer server({"--fail-rate", "0.1", "--latency-ms", "2"});
  auto env = BaseEnv();
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_shared");
  std::vector<std::string> reversed(files.rbegin(), files.rend());
  pid_t a = StartProcess(CountArgs(server, files), env, Tmp("a.out"));
  pid_t b = StartProcess(CountArgs(server, reversed), env, Tmp("b.out"));
  int sa, sb;
  waitpid(a, &sa, 0);
  waitpid(b, &sb, 0);
  REQUIRE(WIFEXITED(sa));
  REQUIRE(WEXITSTATUS(sa) == 0);
  REQUIRE(WIFEXITED(sb));
  REQUIRE(WEXITSTATUS(sb) == 0);
  std::ifstream ina(Tmp("a.out")), inb(Tmp("b.out"));
  std::stringstream oa, ob;
  oa << ina.rdbuf();
  ob << inb.rdbuf();
  LocalServer clean({});
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_shared_ref");
  std::map<std::string, long> want = Counts(RunProcess(CountArgs(clean, files), env).out);
  CHECK(Counts(oa.str()) == want);
  CHECK(Counts(ob.str()) == want);
}

TEST_CASE("401 is a clear error with exit 3, and the key appears nowhere") {
  const std::string key = "AQVNsecretKEYvalue0123456789abcdef";
  LocalServer server({"--require-key", key});
  const std::vector<std::string> files = WriteTexts(Tmp("auth"), 6);
  auto env = BaseEnv();
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_auth");
  env["YC_API_KEY"] = "AQVNwrongKEY0000000000000000000000";
  ProcessResult denied = RunProcess(CountArgs(server, files), env);
  CHECK(denied.exit_code == 3);
  CHECK_THAT(denied.err, Catch::Contains("401 from the tokenize endpoint: check YC_API_KEY"));
  CHECK(denied.err.find("AQVNwrong") == std::string::npos);

  env["YC_API_KEY"] = key;
  ProcessResult ok = RunProcess(CountArgs(server, files), env);
  REQUIRE(ok.exit_code == 0);
  CHECK(ok.out.find(key) == std::string::npos);
  CHECK(ok.err.find(key) == std::string::npos);
  std::ifstream cache(Tmp("cache_auth") + "/tokens.sqlite3", std::ios::binary);
  std::stringstream bytes;
  bytes << cache.rdbuf();
  CHECK(bytes.str().find(key) == std::string::npos);
  CHECK(bytes.str().find("Привет") == std::string::npos);  // hashes, not text
}

TEST_CASE("Hybrid counting sends only the sample and its interval holds the exact total") {
  // 2,000 chat requests of varied length and language.
  const std::vector<std::string> words = {"Привет", "мир", "hello", "world", "Қазақ", "🙂", "42",
                                          "tokens", "стоимость", "заказ", "refund", "—"};
  std::ofstream w(Tmp("hybrid.jsonl"));
  for (int i = 0; i < 2000; ++i) {
    std::string text = "request " + std::to_string(i) + ":";
    for (int k = 0; k < 5 + (i * 13) % 60; ++k) text += " " + words[(i * 7 + k * 11) % words.size()];
    w << json{{"request", {{{"role", "user"}, {"text", text}}}}}.dump() << "\n";
  }
  w.close();
  auto env = BaseEnv();
  auto compare = [&](const LocalServer& server, const std::string& cache, const std::string& count) {
    env["TOKCOST_CACHE_DIR"] = Tmp(cache);
    std::vector<std::string> argv = {RunfilePath("tools/cli/tokcost"), "compare", "--models",
                                     "yandexgpt-lite", "--modes", "sync", "--output-tokens", "50",
                                     "--endpoint", server.url(), "--rate-limit", "2000", "--count",
                                     count, "--json", Tmp("hybrid.jsonl")};
    if (count == "hybrid") {
      argv.insert(argv.end() - 2, {"--sample", "100"});
    }
    ProcessResult r = RunProcess(argv, env);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out)["rows"][0];
  };
  LocalServer exact_server({});
  const json exact = compare(exact_server, "cache_hybrid_exact", "endpoint");
  const int64_t truth = exact["input_tokens"];
  LocalServer sample_server({});
  const json hybrid = compare(sample_server, "cache_hybrid_sample", "hybrid");
  INFO("exact " << truth << ", hybrid " << hybrid["input_tokens"] << " in "
                << hybrid["input_tokens_low"] << ".." << hybrid["input_tokens_high"]);
  CHECK(hybrid["sampled_requests"] == 100);
  CHECK(hybrid["input_tokens_low"].get<int64_t>() <= truth);
  CHECK(truth <= hybrid["input_tokens_high"].get<int64_t>());
  // Only the sample went to the endpoint (and at most a model-version probe).
  CHECK(sample_server.Requests() <= 101);
  CHECK(exact_server.Requests() >= 2000);
}

TEST_CASE("count --count hybrid sends only its sample of the inputs") {
  const std::vector<std::string> files = WriteTexts(Tmp("hybrid_texts"), 300);
  auto env = BaseEnv();
  LocalServer exact_server({});
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_count_hybrid_exact");
  ProcessResult exact = RunProcess(CountArgs(exact_server, files), env);
  REQUIRE(exact.exit_code == 0);
  long truth = 0;
  for (const auto& [name, tokens] : Counts(exact.out)) truth += tokens;

  LocalServer sample_server({});
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_count_hybrid_sample");
  std::vector<std::string> argv = CountArgs(sample_server, files);
  argv.insert(argv.begin() + 2, {"--count", "hybrid", "--sample", "40"});
  ProcessResult hybrid = RunProcess(argv, env);
  INFO(hybrid.err);
  REQUIRE(hybrid.exit_code == 0);
  const std::string last = hybrid.out.substr(hybrid.out.rfind('\n', hybrid.out.size() - 2) + 1);
  const json total = json::parse(last);
  INFO("exact " << truth << ", hybrid " << total.dump());
  CHECK(total["total"] == true);
  CHECK(total["model"] == "yandexgpt-lite");
  CHECK(total["sampled"] == 40);
  CHECK(total["inputs"] == 300);
  CHECK(total["low"].get<long>() <= truth);
  CHECK(truth <= total["high"].get<long>());
  // The sample and at most a model-version probe; every other input is
  // estimated by the provisional profile.
  CHECK(sample_server.Requests() <= 41);
  std::map<std::string, int> methods;
  const std::map<std::string, long> got =
      Counts(hybrid.out.substr(0, hybrid.out.size() - last.size()), &methods);
  CHECK(methods["endpoint"] == 40);
  CHECK(methods["approx"] == 260);
  // The sampled files, read again after all were estimated, got their own
  // counts (the first 5 files repeat the last 5, so the sample hit the
  // cache for some).
  const std::map<std::string, long> want = Counts(exact.out);
  std::istringstream rows(hybrid.out.substr(0, hybrid.out.size() - last.size()));
  int checked = 0;
  for (std::string line; std::getline(rows, line);) {
    const json j = json::parse(line);
    if (j["method"] == "approx") continue;
    CHECK(j["tokens"].get<long>() == want.at(j["input"]));
    ++checked;
  }
  CHECK(checked == 40);
}

TEST_CASE("Calibrating an endpoint model learns a lexicon from the token texts, asked once") {
  // Calibration text and more lexicon text from different parts of the
  // setup corpus (the stand-in tokenizer behind the server is qwen3).
  const char* dir = std::getenv("TOKCOST_CORPUS_DIR");
  REQUIRE(dir != nullptr);
  std::ifstream in(std::string(dir) + "/mixed_en_ru.txt", std::ios::binary);
  const std::string corpus((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto slice = [&](size_t from, size_t bytes) {
    size_t start = corpus.find('\n', from) + 1;
    return corpus.substr(start, corpus.find('\n', start + bytes) + 1 - start);
  };
  std::ofstream(Tmp("calib_docs.txt")) << slice(3000000, 1500000);
  std::ofstream(Tmp("calib_lexicon.txt")) << slice(6000000, 1000000);
  LocalServer server({});
  auto env = BaseEnv();
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_calibrate");
  auto calibrate = [&](const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {RunfilePath("tools/cli/tokcost"), "calibrate", "--model",
                                     "yandexgpt-lite", "--endpoint", server.url(), "--rate-limit",
                                     "2000", "--sample", "285", "--json", "-o",
                                     Tmp("calib/yandexgpt-lite.json")};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back(Tmp("calib_docs.txt"));
    ProcessResult r = RunProcess(argv, env);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
  };
  const json plain = calibrate({"--no-lexicon"});
  const long after_plain = server.Requests();
  CHECK(after_plain <= 286);  // the sample and a model-version probe
  CHECK_FALSE(std::ifstream(Tmp("calib/yandexgpt-lite.lexicon")).good());
  // Offline, the cached counts still calibrate (without a lexicon).
  const json offline = calibrate({"--offline"});
  CHECK(server.Requests() == after_plain);
  CHECK(offline["relative_error_p95"] == plain["relative_error_p95"]);
  CHECK_FALSE(std::ifstream(Tmp("calib/yandexgpt-lite.lexicon")).good());

  const json lexicon = calibrate({"--lexicon", Tmp("calib_lexicon.txt")});
  const long after_lexicon = server.Requests();
  // The sample once more (its token texts were not kept before), and the
  // lexicon file in parts of at most 16 KB.
  CHECK(after_lexicon - after_plain >= 285 + 1000000 / 16384);
  CHECK(after_lexicon - after_plain <= 285 + 1000000 / 8192);
  CHECK(std::ifstream(Tmp("calib/yandexgpt-lite.lexicon")).good());
  INFO("held-out p95 without a lexicon " << plain["relative_error_p95"] << ", with "
                                         << lexicon["relative_error_p95"]);
  CHECK(lexicon["relative_error_p95"].get<double>() < 0.75 * plain["relative_error_p95"].get<double>());
  CHECK(lexicon["coverage_of_95pct_bounds"].get<double>() >= 0.9);

  // Everything is in the cache now, token texts included.
  const json again = calibrate({"--lexicon", Tmp("calib_lexicon.txt")});
  CHECK(server.Requests() == after_lexicon);
  CHECK(again["relative_error_p95"] == lexicon["relative_error_p95"]);
}

TEST_CASE("Chat workloads count through tokenizeCompletion and the cache") {
  std::ofstream(Tmp("chats.jsonl"))
      << R"({"completionOptions":{"maxTokens":"100"},"messages":[{"role":"user","text":"Привет!"}]})" "\n"
      << R"({"completionOptions":{"maxTokens":"100"},"messages":[{"role":"system","text":"Be brief."},{"role":"user","text":"Hi"}]})" "\n";
  LocalServer server({"--fail-rate", "0.3", "--fail-status", "429", "--retry-after", "0"});
  auto env = BaseEnv();
  env["TOKCOST_CACHE_DIR"] = Tmp("cache_chat");
  std::vector<std::string> argv = {RunfilePath("tools/cli/tokcost"), "estimate", "--model", "yandexgpt-lite",
                                   "--mode", "sync", "--endpoint", server.url(), "--json",
                                   Tmp("chats.jsonl")};
  ProcessResult first = RunProcess(argv, env);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  json a = json::parse(first.out);
  CHECK(a["method"] == "endpoint");
  const long sent = server.Requests();
  ProcessResult second = RunProcess(argv, env);
  REQUIRE(second.exit_code == 0);
  json b = json::parse(second.out);
  CHECK(b["method"] == "cache");
  CHECK(b["input_tokens"] == a["input_tokens"]);
  CHECK(server.Requests() == sent);
  // --offline with a warm cache needs no server at all.
  std::vector<std::string> offline = argv;
  offline[7] = "http://127.0.0.1:1";
  offline.push_back("--offline");
  ProcessResult off = RunProcess(offline, env);
  REQUIRE(off.exit_code == 0);
  CHECK(json::parse(off.out)["input_tokens"] == a["input_tokens"]);
}

}  // namespace
}  // namespace tokcost::testing
