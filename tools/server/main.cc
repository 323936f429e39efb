// tokenize_server: a local stand-in for the provider's tokenize API.
//   tools/tokenize_server --port P [--fail-rate R] [--fail-status S]
//       [--latency-ms L] [--require-key K] [--retry-after S]
//       [--reset-rate R] [--malformed-rate R] [--seed N]
// Prints "listening on 127.0.0.1:PORT" on stdout once bound (--port 0 picks
// a free port). Stops on SIGINT/SIGTERM.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>

#include "pricing/catalog.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "tools/base/file_util.h"
#include "tools/server/server.h"

namespace {

tokcost::server::TokenizeServer* g_server = nullptr;

void OnSignal(int) {
  if (g_server) g_server->Stop();
}

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tokcost;
  CLI::App app("Local server speaking the tokenize API, backed by tokcost's exact tokenizers",
               "tokenize_server");
  server::FaultOptions faults;
  int port = 0;
  std::string host = "127.0.0.1";
  std::string stand_in = "qwen3";
  app.add_option("--port", port, "Port (0: any free port)");
  app.add_option("--host", host, "Address to bind (default 127.0.0.1)");
  app.add_option("--fail-rate", faults.fail_rate, "Fraction of requests answered with --fail-status");
  app.add_option("--fail-status", faults.fail_status, "Status of injected failures (default 503)");
  app.add_option("--retry-after", faults.retry_after_s, "Retry-After seconds on injected failures");
  app.add_option("--reset-rate", faults.reset_rate, "Fraction of connections dropped mid-response");
  app.add_option("--malformed-rate", faults.malformed_rate, "Fraction of 200s with a malformed body");
  app.add_option("--latency-ms", faults.latency_ms, "Latency added to every request");
  app.add_option("--require-key", faults.require_key, "Answer 401 unless Authorization: Api-Key KEY");
  app.add_option("--seed", faults.seed, "Seed of the fault dice");
  app.add_option("--stand-in", stand_in,
                 "Tokenizer used for models without a public tokenizer (default qwen3)");
  CLI11_PARSE(app, argc, argv);

  const std::string data_dir = Env("TOKCOST_DATA_DIR", "data");
  const std::string vocab_dir = Env("TOKCOST_VOCAB_DIR", ".cache/vocab");
  StatusOr<Catalog> catalog = Catalog::Load(JoinPath(data_dir, "models.json"));
  StatusOr<std::vector<TokenizerSpec>> specs = LoadTokenizerSpecs(JoinPath(data_dir, "tokenizers.json"));
  StatusOr<ChatTemplates> templates = ChatTemplates::Load(JoinPath(data_dir, "chat_templates.json"));
  for (const Status& st : {catalog.status(), specs.status(), templates.status()}) {
    if (!st.ok()) {
      std::cerr << "tokenize_server: " << st.message() << "\n";
      return 2;
    }
  }
  std::map<std::string, std::unique_ptr<Tokenizer>> tokenizers;
  std::mutex mu;
  auto resolver = [&](const std::string& name) -> StatusOr<server::Counting> {
    StatusOr<ResolvedModel> m = catalog->Resolve(name);
    if (!m.ok()) return m.status();
    server::Counting c;
    c.stand_in = m->model->CountsThroughEndpoint();
    std::string tok = c.stand_in ? stand_in : m->model->tokenizer;
    c.chat_template = templates->Find(c.stand_in ? "chatml" : m->model->chat_template);
    c.model_version = "tokcost-local:" + tok;
    std::lock_guard<std::mutex> lock(mu);
    auto& t = tokenizers[tok];
    if (!t) {
      const TokenizerSpec* spec = FindTokenizerSpec(*specs, tok);
      if (spec == nullptr) return NotFoundError("no tokenizer " + tok);
      StatusOr<std::unique_ptr<Tokenizer>> loaded = LoadTokenizer(*spec, vocab_dir);
      if (!loaded.ok()) return loaded.status();
      t = std::move(*loaded);
      if (c.stand_in) {
        std::cerr << "tokenize_server: " << name << " has no public tokenizer; counting with the "
                  << tok << " stand-in (plausible, not the provider's counts)\n";
      }
    }
    c.tokenizer = t.get();
    return c;
  };
  server::TokenizeServer srv(faults, resolver, [](const std::string& line) { std::cerr << line << "\n"; });
  int bound = srv.Listen(host, port);
  if (bound <= 0) {
    std::cerr << "tokenize_server: cannot listen on " << host << ":" << port << "\n";
    return 3;
  }
  g_server = &srv;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::cout << "listening on " << host << ":" << bound << std::endl;
  srv.Serve();
  return 0;
}
