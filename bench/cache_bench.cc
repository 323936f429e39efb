// The token cache and endpoint counting.
//
//   tools/bench_cache
//
// BM_CacheLookup_Hit / _Miss: lookups per second in a cache of 100,000
//   entries (items_per_second).
// BM_CacheStore: single-entry transactions per second, as counts arrive.
// BM_EndpointCount_LocalServer: texts counted per second through the
//   client against an in-process tokenize server at a given rate limit
//   (the argument), cache bypassed: end-to-end throughput at the quota.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "tokenizer/endpoint_client.h"
#include "tokenizer/token_cache.h"
#include "tokenizer/tokenizer.h"
#include "tools/server/server.h"

namespace tokcost {
namespace {

std::string TempDir(const std::string& name) {
  std::string dir = "/tmp/tokcost-bench-" + name + "-" + std::to_string(::getpid());
  std::error_code ignored;  // a leftover of an earlier run with this pid
  std::filesystem::remove_all(dir, ignored);
  return dir;
}

TokenCache* FilledCache() {
  static TokenCache* cache = [] {
    auto c = TokenCache::Open(TempDir("lookup"));
    std::vector<std::pair<CacheKey, CachedCount>> batch;
    for (int i = 0; i < 100000; ++i) {
      batch.push_back({CacheKey::For("yandexgpt-lite/latest", "tokenize", "text " + std::to_string(i)).value(),
                       {i, "v1", std::nullopt}});
    }
    (void)(*c)->Store(batch);
    return c->release();
  }();
  return cache;
}

void BM_CacheLookup_Hit(benchmark::State& state) {
  TokenCache* cache = FilledCache();
  std::vector<CacheKey> keys;
  for (int i = 0; i < 1000; ++i) {
    keys.push_back(CacheKey::For("yandexgpt-lite/latest", "tokenize", "text " + std::to_string(i * 97)).value());
  }
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(cache->Lookup(keys[i++ % keys.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CacheLookup_Hit);

void BM_CacheLookup_Miss(benchmark::State& state) {
  TokenCache* cache = FilledCache();
  CacheKey key = CacheKey::For("yandexgpt-lite/latest", "tokenize", "absent").value();
  for (auto _ : state) benchmark::DoNotOptimize(cache->Lookup(key));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CacheLookup_Miss);

void BM_CacheStore(benchmark::State& state) {
  auto cache = TokenCache::Open(TempDir("store"));
  int64_t i = 0;
  for (auto _ : state) {
    (void)(*cache)->Store(
        {{CacheKey::For("m", "tokenize", std::to_string(i)).value(), {i, "v1", std::nullopt}}});
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CacheStore);

void BM_EndpointCount_LocalServer(benchmark::State& state) {
  const char* data = std::getenv("TOKCOST_DATA_DIR");
  const char* vocab = std::getenv("TOKCOST_VOCAB_DIR");
  auto specs = LoadTokenizerSpecs(std::string(data ? data : "data") + "/tokenizers.json");
  auto tok = LoadTokenizer(*FindTokenizerSpec(*specs, "qwen3"), vocab ? vocab : ".cache/vocab");
  if (!tok.ok()) {
    state.SkipWithError(tok.status().message().c_str());
    return;
  }
  server::TokenizeServer srv({}, [&](const std::string&) -> StatusOr<server::Counting> {
    server::Counting c;
    c.tokenizer = tok->get();
    c.model_version = "bench";
    return c;
  }, [](const std::string&) {});
  int port = srv.Listen("127.0.0.1", 0);
  std::thread serving([&] { srv.Serve(); });
  EndpointConfig config;
  config.base_url = "http://127.0.0.1:" + std::to_string(port);
  config.requests_per_second = static_cast<double>(state.range(0));
  EndpointClient client(config);
  std::vector<TokenizeCall> calls;
  for (int i = 0; i < 200; ++i) {
    calls.push_back({TokenizeKind::kText,
                     TokenizeTextBody("gpt://f/yandexgpt-lite/latest", "Привет, мир! text " + std::to_string(i)),
                     "t"});
  }
  for (auto _ : state) benchmark::DoNotOptimize(client.Run(calls));
  state.SetItemsProcessed(state.iterations() * calls.size());
  srv.Stop();
  serving.join();
}
BENCHMARK(BM_EndpointCount_LocalServer)
    ->Arg(50)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace
}  // namespace tokcost

BENCHMARK_MAIN();
