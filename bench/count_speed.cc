// Times tokcost's count-only path for the side-by-side harness
// (tools/bench_peers): prints one JSON object with per-repetition MB/s for
// the corpus as one string and as ~4 KB documents, cold (piece cache
// emptied before each repetition: a first pass over unseen text) and warm,
// the first pass's page faults, kernel time and growth of RSS, and
// the counts the peers must agree with.
//
//   count_speed --tokenizer o200k_base --corpus FILE [--reps 5] [--threads 1]
//               [--warmup-ms 300]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/documents.h"
#include "tokenizer/internal/pipeline.h"
#include "tokenizer/tokenizer.h"
#include "tools/base/file_util.h"

namespace {

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tokcost;
  using Clock = std::chrono::steady_clock;
  const std::string root = std::getenv("TOKCOST_ROOT") ? std::getenv("TOKCOST_ROOT") : ".";
  const std::string name = Arg(argc, argv, "--tokenizer", "o200k_base");
  const int reps = std::atoi(Arg(argc, argv, "--reps", "5").c_str());
  const int threads = std::atoi(Arg(argc, argv, "--threads", "1").c_str());
  StatusOr<std::string> corpus =
      ReadFile(Arg(argc, argv, "--corpus", root + "/.cache/corpus/mixed_en_ru.txt"));
  StatusOr<std::vector<TokenizerSpec>> specs = LoadTokenizerSpecs(root + "/data/tokenizers.json");
  if (!corpus.ok() || !specs.ok()) {
    std::cerr << "count_speed: " << (corpus.ok() ? specs.status() : corpus.status()).message() << "\n";
    return 2;
  }
  const TokenizerSpec* spec = FindTokenizerSpec(*specs, name);
  if (spec == nullptr) {
    std::cerr << "count_speed: unknown tokenizer " << name << "\n";
    return 2;
  }
  const char* vocab = std::getenv("TOKCOST_VOCAB_DIR");
  auto load_start = Clock::now();
  StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizer(*spec, vocab ? vocab : root + "/.cache/vocab");
  double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
  if (!tok.ok()) {
    std::cerr << "count_speed: " << tok.status().message() << "\n";
    return 2;
  }
  const std::string& text = *corpus;
  const std::vector<std::string_view> docs = tokcost::bench::CutDocuments(text);
  const double mb = text.size() / 1e6;
  nlohmann::json out = {{"tokenizer", name}, {"bytes", text.size()}, {"load_seconds", load_s},
                        {"threads", threads}};
  // The CPU is kept busy before the first timing, touching none of
  // tokcost's tables or caches (the cold pass stays a first pass): on the
  // VMs these runs use, a new process's first ~0.1 s runs at a lower clock.
  // Same binary, o200k, six fresh processes each way (2026-12-05, AMD EPYC
  // VM): first pass 60-74 MB/s right after start, 76-96 after a 300 ms spin;
  // the peers (bench/peers/run.js) are timed in a Node process long running.
  const int warmup_ms = std::atoi(Arg(argc, argv, "--warmup-ms", "300").c_str());
  out["warmup_ms"] = warmup_ms;
  for (auto until = Clock::now() + std::chrono::milliseconds(warmup_ms); Clock::now() < until;) {
  }
  // Page faults and kernel time of the first pass: on these VMs memory new
  // to the process costs far more than its page faults suggest (the host
  // backs it anew), so a first pass is judged by what it touches too.
  auto usage = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u;
  };
  auto resident_mb = [] {  // now, not the peak (ru_maxrss) that loading set
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
      std::fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1048576.0);
  };
  const rusage before = usage();
  const double resident_before = resident_mb();
  auto count_whole = [&] {
    return threads > 1 ? (*tok)->CountParallel(text, threads).value() : (*tok)->Count(text).value();
  };
  for (bool cold : {true, false}) {
    std::vector<double> whole, per_doc;
    size_t tokens = 0;
    // Warm: every thread's caches filled first. The last cold pass (the
    // documents, on this thread) emptied the pool threads' ones too.
    if (!cold) count_whole();
    for (int r = 0; r < reps; ++r) {
      if (cold) tokenizer_internal::Pipeline::ResetThreadCaches();
      auto t0 = Clock::now();
      tokens = count_whole();
      whole.push_back(mb / std::chrono::duration<double>(Clock::now() - t0).count());
      if (cold && r == 0) {
        const rusage after = usage();
        auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
        out["first_pass"] = {{"minor_faults", after.ru_minflt - before.ru_minflt},
                             {"rss_growth_mb", resident_mb() - resident_before},
                             {"system_ms", ms(after.ru_stime) - ms(before.ru_stime)}};
      }
      if (cold) tokenizer_internal::Pipeline::ResetThreadCaches();
      t0 = Clock::now();
      size_t sum = 0;
      for (std::string_view d : docs) sum += (*tok)->Count(d).value();
      per_doc.push_back(mb / std::chrono::duration<double>(Clock::now() - t0).count());
      if (sum != tokens) out["docs_tokens"] = sum;
    }
    out[cold ? "cold" : "warm"] = {{"whole_mbps", whole}, {"docs_mbps", per_doc}};
    out["whole_tokens"] = tokens;
  }
  std::vector<size_t> doc_counts;
  for (std::string_view d : docs) doc_counts.push_back((*tok)->Count(d).value());
  out["doc_counts"] = doc_counts;
  std::cout << out.dump() << "\n";
  return 0;
}
