// Reading JSONL workloads (what `estimate`, `compare` and `check` do before
// counting), next to nlohmann's parse of the same lines, which the reader
// used until 2026-12-06: the ratio of the two in one run is the figure to
// read, as these machines are noisy.
//
//   tools/bench --workload [--benchmark_repetitions=5]
//
// Two workloads, written to $TMPDIR once:
//   chats: data/examples/support_chats.jsonl 500 times (yandex-completion,
//          20,000 short requests, 10.1 MB);
//   docs:  the corpus cut into ~4 KB documents, one openai-chat request
//          each with a system prompt.
// BM_Read_Workload/<name>: WorkloadReader::Next over the file, every
//   request built (messages, limits, location).
// BM_Parse_NlohmannLines/<name>: nlohmann::json::parse of every line, and
//   nothing else: less than the reader did with it.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "bench/documents.h"
#include "pricing/workload.h"
#include "tools/base/file_util.h"

namespace tokcost {
namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

void ReadWorkload(benchmark::State& state, const std::string* path, size_t bytes) {
  std::istringstream no_stdin;
  size_t requests = 0;
  for (auto _ : state) {
    std::unique_ptr<WorkloadReader> reader =
        WorkloadReader::Open(*path, WorkloadFormat::kAuto, &no_stdin).value();
    Request request;
    Status error;
    requests = 0;
    while (reader->Next(&request, &error)) {
      if (!error.ok()) state.SkipWithError(error.message().c_str());
      benchmark::DoNotOptimize(request.messages.data());
      ++requests;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["requests"] = static_cast<double>(requests);
}

void ParseNlohmannLines(benchmark::State& state, const std::string* path, size_t bytes) {
  for (auto _ : state) {
    std::ifstream in(*path, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) state.SkipWithError("a line nlohmann cannot parse");
      benchmark::DoNotOptimize(j);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

}  // namespace
}  // namespace tokcost

int main(int argc, char** argv) {
  using namespace tokcost;
  benchmark::Initialize(&argc, argv);
  const std::string root = Env("TOKCOST_ROOT", ".");
  StatusOr<std::string> chats = ReadFile(root + "/data/examples/support_chats.jsonl");
  StatusOr<std::string> corpus =
      ReadFile(Env("TOKCOST_CORPUS_DIR", root + "/.cache/corpus") + "/mixed_en_ru.txt");
  if (!chats.ok() || !corpus.ok()) {
    std::cerr << "workload_bench: " << (chats.ok() ? corpus.status() : chats.status()).message()
              << " (run tools/setup)\n";
    return 2;
  }
  std::string docs;
  for (std::string_view d : bench::CutDocuments(*corpus)) {
    nlohmann::json request = {
        {"messages",
         {{{"role", "system"}, {"content", "You are a helpful assistant."}},
          {{"role", "user"}, {"content", std::string(d)}}}},
        {"max_tokens", 300}};
    // The corpus is Debian text cut at line ends; any stray byte is replaced
    // rather than failing the run.
    docs += request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  std::string many_chats;
  for (int i = 0; i < 500; ++i) many_chats += *chats;
  struct Workload {
    std::string name, path;
    size_t bytes;
  };
  static std::vector<Workload> workloads;  // registered benchmarks point into it
  const std::string dir = Env("TMPDIR", "/tmp");
  for (const auto& [name, text] : {std::pair<std::string, const std::string*>{"chats", &many_chats},
                                   {"docs", &docs}}) {
    const std::string path = dir + "/tokcost_workload_bench_" + name + ".jsonl";
    if (Status st = WriteFile(path, {*text}); !st.ok()) {
      std::cerr << "workload_bench: " << st.message() << "\n";
      return 2;
    }
    workloads.push_back({name, path, text->size()});
  }
  for (const Workload& w : workloads) {
    benchmark::RegisterBenchmark(("BM_Read_Workload/" + w.name).c_str(), ReadWorkload, &w.path, w.bytes)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_Parse_NlohmannLines/" + w.name).c_str(), ParseNlohmannLines,
                                 &w.path, w.bytes)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  for (const Workload& w : workloads) std::remove(w.path.c_str());
  return 0;
}
