// Count-only throughput of every exact tokenizer on the mixed
// English/Russian corpus that tools/setup builds from Debian text.
//
//   tools/bench [--benchmark_filter=o200k] [--benchmark_repetitions=5]
//
// BM_Count_Whole/<name>: the corpus as one string (piece cache warm after
//   the first iteration, as when a process counts many files).
// BM_Count_WholeCold/<name>: the same with the piece cache emptied first.
// BM_Count_Docs/<name>:  the corpus cut into ~4 KB documents at line ends.
// BM_PreTokenize/<name>: the pre-tokenizer alone (scanners, no BPE).
// BM_Bpe_DistinctPieces/<name>: BPE alone, on each distinct piece of the
//   corpus once, one at a time (MergeWord, as encoding does).
// BM_Bpe_CountDistinctPieces/<name>: the same pieces as a first pass counts
//   its piece-cache misses (CountWords, 16 at a time).
// BM_Approx_Features: the approximation's single pass (--count approx).
// BM_Approx_Estimate/<name>: a whole estimate with the shipped profile
//   (memos of windows and lines warm after the first iteration).
// BM_Approx_EstimateCold/<name>: the same with the memos emptied first.
// BM_Approx_Stream1G/<name>: ApproxStream on the corpus 100 times over in
//   1 MB pieces (about 1 GB, as `count --count approx` reads a large file),
//   the lexicon reading a sample; memos emptied first.
// BM_Utf8_Validate: the UTF-8 check every count makes first.
// Bytes per second is the figure to read (SetBytesProcessed).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <unordered_set>

#include "bench/documents.h"
#include "tokenizer/approx.h"
#include "tokenizer/internal/loaders.h"
#include "tokenizer/internal/pipeline.h"
#include "tokenizer/internal/unicode.h"
#include "tokenizer/tokenizer.h"
#include "tools/base/file_util.h"

namespace tokcost {
namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

void CountWhole(benchmark::State& state, const Tokenizer* tok, const std::string* text) {
  size_t tokens = 0;
  for (auto _ : state) {
    tokens = tok->Count(*text).value();
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text->size()));
  state.counters["tokens"] = static_cast<double>(tokens);
}

// A first pass over text never seen: the piece cache starts empty.
void CountWholeCold(benchmark::State& state, const Tokenizer* tok, const std::string* text) {
  for (auto _ : state) {
    state.PauseTiming();
    tokenizer_internal::Pipeline::ResetThreadCaches();
    state.ResumeTiming();
    benchmark::DoNotOptimize(tok->Count(*text).value());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text->size()));
}

void CountDocs(benchmark::State& state, const Tokenizer* tok,
               const std::vector<std::string_view>* docs, size_t bytes) {
  for (auto _ : state) {
    size_t tokens = 0;
    for (std::string_view d : *docs) tokens += tok->Count(d).value();
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void PreTokenize(benchmark::State& state,
                 const tokenizer_internal::Pipeline* pipeline,
                 const std::string* text) {
  std::vector<std::string_view> pieces;
  for (auto _ : state) {
    pieces.clear();
    pipeline->pre_tokenizer.Split(*text, &pieces);
    benchmark::DoNotOptimize(pieces.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text->size()));
  state.counters["pieces"] = static_cast<double>(pieces.size());
}

// The corpus's distinct pieces, in order of first appearance, and their bytes.
std::vector<std::string_view> DistinctPieces(const tokenizer_internal::Pipeline* pipeline,
                                             const std::string& text, size_t* bytes) {
  std::vector<std::string_view> pieces;
  pipeline->pre_tokenizer.Split(text, &pieces);
  std::unordered_set<std::string_view> seen;
  std::vector<std::string_view> distinct;
  *bytes = 0;
  for (std::string_view p : pieces) {
    if (seen.insert(p).second) {
      distinct.push_back(p);
      *bytes += p.size();
    }
  }
  return distinct;
}

// Times count_all(distinct pieces, scratch), which returns their tokens;
// bytes processed are the distinct pieces' bytes.
template <typename CountAll>
void TimeDistinctPieces(benchmark::State& state, const tokenizer_internal::Pipeline* pipeline,
                        const std::string& text, CountAll count_all) {
  size_t bytes = 0;
  const std::vector<std::string_view> distinct = DistinctPieces(pipeline, text, &bytes);
  tokenizer_internal::BpeModel::Scratch scratch;
  size_t tokens = 0;
  for (auto _ : state) {
    tokens = count_all(distinct, &scratch);
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["pieces"] = static_cast<double>(distinct.size());
  state.counters["tokens"] = static_cast<double>(tokens);
}

void BpeDistinctPieces(benchmark::State& state,
                       const tokenizer_internal::Pipeline* pipeline,
                       const std::string* text) {
  TimeDistinctPieces(state, pipeline, *text,
                     [&](const std::vector<std::string_view>& distinct,
                         tokenizer_internal::BpeModel::Scratch* scratch) {
                       size_t tokens = 0;
                       for (std::string_view p : distinct) {
                         pipeline->model.MergeWord(p, scratch);
                         tokens += scratch->ids().size();
                       }
                       return tokens;
                     });
}

// The same pieces through CountWords, 16 at a time as Count hands them over
// (merged side by side; byte-level models start two-byte characters as one
// symbol where that merges the same).
void BpeCountDistinctPieces(benchmark::State& state,
                            const tokenizer_internal::Pipeline* pipeline,
                            const std::string* text) {
  TimeDistinctPieces(state, pipeline, *text,
                     [&](const std::vector<std::string_view>& distinct,
                         tokenizer_internal::BpeModel::Scratch* scratch) {
                       constexpr size_t kBatch = 16;
                       uint32_t counts[kBatch];
                       size_t tokens = 0;
                       for (size_t i = 0; i < distinct.size(); i += kBatch) {
                         const size_t n = std::min(kBatch, distinct.size() - i);
                         pipeline->model.CountWords(&distinct[i], n, counts, scratch);
                         for (size_t k = 0; k < n; ++k) tokens += counts[k];
                       }
                       return tokens;
                     });
}

// The approximation's one pass over the bytes, next to exact counting.
void ApproxFeaturePass(benchmark::State& state, const std::string* text) {
  for (auto _ : state) benchmark::DoNotOptimize(ComputeApproxFeatures(*text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text->size()));
}

// The check Tokenizer::Count makes before anything else, on one thread.
void Utf8Validate(benchmark::State& state, const std::string* text) {
  for (auto _ : state) benchmark::DoNotOptimize(tokenizer_internal::FindInvalidUtf8(*text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text->size()));
}

// A whole estimate with a shipped profile: the feature pass plus, where the
// profile has one, the lexicon's lookups; its memos of windows and lines
// warm after the first iteration, or (`cold`) emptied before each.
void ApproxEstimateWhole(benchmark::State& state, const ApproxProfile* profile,
                         const std::string* text, bool cold) {
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      tokenizer_internal::Pipeline::ResetThreadCaches();  // every thread cache
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(profile->Estimate(*text));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text->size()));
}

// ApproxStream over `copies` copies of `text` (which must end with a
// newline and not start with one) given in pieces of about 1 MB cut as it
// requires, with the size known as a file's is.
void ApproxStreamCopies(benchmark::State& state, const ApproxProfile* profile,
                        const std::string* text, int copies) {
  std::vector<std::string_view> pieces;
  for (size_t begin = 0; begin < text->size();) {
    const size_t end = ApproxStream::PieceEnd(*text, begin, 1 << 20);
    pieces.push_back(std::string_view(*text).substr(begin, end - begin));
    begin = end;
  }
  const int64_t total = static_cast<int64_t>(text->size()) * copies;
  for (auto _ : state) {
    state.PauseTiming();
    tokenizer_internal::Pipeline::ResetThreadCaches();
    state.ResumeTiming();
    ApproxStream stream(*profile, total);
    for (int c = 0; c < copies; ++c) {
      for (std::string_view piece : pieces) stream.Add(piece);
    }
    benchmark::DoNotOptimize(stream.Result());
  }
  state.SetBytesProcessed(state.iterations() * total);
}

}  // namespace
}  // namespace tokcost

int main(int argc, char** argv) {
  using namespace tokcost;
  const std::string root = Env("TOKCOST_ROOT", ".");
  const std::string vocab_dir = Env("TOKCOST_VOCAB_DIR", root + "/.cache/vocab");
  const std::string corpus_path = Env("TOKCOST_CORPUS", root + "/.cache/corpus/mixed_en_ru.txt");
  StatusOr<std::string> corpus = ReadFile(corpus_path);
  StatusOr<std::vector<TokenizerSpec>> specs = LoadTokenizerSpecs(root + "/data/tokenizers.json");
  if (!corpus.ok() || !specs.ok()) {
    std::cerr << "bench: " << (!corpus.ok() ? corpus.status() : specs.status()).ToString()
              << "\nrun tools/bench (it runs tools/setup first)\n";
    return 2;
  }
  static const std::string text = std::move(*corpus);
  static const std::vector<std::string_view> docs = bench::CutDocuments(text);
  static std::vector<std::unique_ptr<Tokenizer>> tokenizers;
  static std::vector<std::unique_ptr<tokenizer_internal::Pipeline>> pipelines;
  for (const TokenizerSpec& spec : *specs) {
    StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizer(spec, vocab_dir);
    if (!tok.ok()) {
      std::cerr << "bench: " << tok.status().ToString() << "\n";
      return 2;
    }
    tokenizers.push_back(std::move(*tok));
    const Tokenizer* t = tokenizers.back().get();
    benchmark::RegisterBenchmark(("BM_Count_Whole/" + spec.name).c_str(), CountWhole, t, &text)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_Count_WholeCold/" + spec.name).c_str(), CountWholeCold, t, &text)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_Count_Docs/" + spec.name).c_str(), CountDocs, t, &docs,
                                 text.size())
        ->Unit(benchmark::kMillisecond);
    StatusOr<ApproxProfile> profile = ApproxProfile::Load(root + "/data/approx/" + spec.name + ".json");
    if (profile.ok()) {
      static std::vector<std::unique_ptr<ApproxProfile>> profiles;
      profiles.push_back(std::make_unique<ApproxProfile>(*std::move(profile)));
      for (bool cold : {false, true}) {
        benchmark::RegisterBenchmark(
            ((cold ? "BM_Approx_EstimateCold/" : "BM_Approx_Estimate/") + spec.name).c_str(),
            ApproxEstimateWhole, profiles.back().get(), &text, cold)
            ->Unit(benchmark::kMillisecond);
      }
      if (text.back() == '\n' && text.front() != '\n') {
        benchmark::RegisterBenchmark(("BM_Approx_Stream1G/" + spec.name).c_str(),
                                     ApproxStreamCopies, profiles.back().get(), &text, 100)
            ->Unit(benchmark::kMillisecond);
      }
    }
    std::string path = VocabPath(spec, vocab_dir);
    StatusOr<std::unique_ptr<tokenizer_internal::Pipeline>> p =
        spec.format == "tiktoken"
            ? tokenizer_internal::LoadTiktoken(path, spec.pattern, {})
            : tokenizer_internal::LoadHuggingFace(path);
    if (p.ok()) {
      pipelines.push_back(std::move(*p));
      benchmark::RegisterBenchmark(("BM_PreTokenize/" + spec.name).c_str(), PreTokenize,
                                   pipelines.back().get(), &text)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("BM_Bpe_DistinctPieces/" + spec.name).c_str(),
                                   BpeDistinctPieces, pipelines.back().get(), &text)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("BM_Bpe_CountDistinctPieces/" + spec.name).c_str(),
                                   BpeCountDistinctPieces, pipelines.back().get(), &text)
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::RegisterBenchmark("BM_Approx_Features", ApproxFeaturePass, &text)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_Utf8_Validate", Utf8Validate, &text)->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
