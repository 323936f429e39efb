// A local HTTP server that speaks the provider's tokenize API
// (POST /foundationModels/v1/tokenize and /tokenizeCompletion) with the same
// JSON, backed by tokcost's exact local tokenizers. For tests, offline
// demos and CI; it can inject faults.
//
//   TokenizeServer server(options, resolver);
//   int port = server.Listen("127.0.0.1", 0);   // 0: any free port
//   server.Serve();                              // blocks until Stop()
//
// Models map to tokenizers through the catalog; proprietary models (no
// public tokenizer) use a documented stand-in tokenizer, announced in the
// log, so counts for them are plausible but not the provider's.
// GET /stats returns {"requests": N, "by_endpoint": {...}, "faults": N}.
// Thread-safe: requests are served concurrently.
#ifndef TOKCOST_TOOLS_SERVER_SERVER_H_
#define TOKCOST_TOOLS_SERVER_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "tools/base/status.h"

namespace tokcost::server {

struct FaultOptions {
  double fail_rate = 0;       // fraction answered with fail_status
  int fail_status = 503;
  int retry_after_s = -1;     // Retry-After on injected 429/503 when >= 0
  double reset_rate = 0;      // fraction whose connection drops mid-response
  double malformed_rate = 0;  // fraction answered 200 with a malformed body
  int latency_ms = 0;         // added to every request
  std::string require_key;    // 401 unless "Authorization: Api-Key <key>"
  uint64_t seed = 1;
};

// What the server counts with for a model name from a modelUri.
struct Counting {
  const Tokenizer* tokenizer = nullptr;
  const ChatTemplate* chat_template = nullptr;
  std::string model_version;
  bool stand_in = false;
};

// Returns the counting setup for a model name ("yandexgpt-lite"), or an
// error for an unknown model.
using Resolver = std::function<StatusOr<Counting>(const std::string& model_name)>;

class TokenizeServer {
 public:
  TokenizeServer(FaultOptions faults, Resolver resolver,
                 std::function<void(const std::string&)> log);
  ~TokenizeServer();

  // Binds; returns the port, or -1.
  int Listen(const std::string& host, int port);
  void Serve();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tokcost::server

#endif  // TOKCOST_TOOLS_SERVER_SERVER_H_
