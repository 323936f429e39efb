// Client of the provider's tokenize endpoints (foundationModels/v1/tokenize
// and tokenizeCompletion), for models with no public tokenizer.
//
//   EndpointConfig config = EndpointConfig::FromEnvironment(getenv_fn);
//   EndpointClient client(config);
//   std::vector<TokenizeCall> calls = {{TokenizeKind::kText,
//       TokenizeTextBody(config.ModelUri("yandexgpt-lite/latest"), text), "prompt.txt"}};
//   std::vector<StatusOr<TokenizeReply>> replies = client.Run(calls);
//
// Many requests are in flight at once (libcurl multi) under a client-side
// rate limit (default: the documented quota, 50 requests per second).
// 429, 5xx, timeouts and connection errors are retried with exponential
// backoff and jitter, honouring Retry-After, up to max_attempts; 400, 401
// and 403 are not retried. A malformed body is an error, never a count.
// Credentials go only into request headers: no message, log or error ever
// contains them. Thread-compatible: one Run at a time per client.
#ifndef TOKCOST_TOKENIZER_ENDPOINT_CLIENT_H_
#define TOKCOST_TOKENIZER_ENDPOINT_CLIENT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/chat_template.h"
#include "tools/base/status.h"

namespace tokcost {

struct EndpointConfig {
  static constexpr const char* kDefaultBaseUrl = "https://llm.api.cloud.yandex.net";

  std::string base_url = kDefaultBaseUrl;
  std::string api_key;    // YC_API_KEY: "Authorization: Api-Key ..."
  std::string iam_token;  // YC_IAM_TOKEN: "Authorization: Bearer ..."
  std::string folder_id;  // YC_FOLDER_ID: x-folder-id and the modelUri folder
  double requests_per_second = 50;
  int max_in_flight = 16;
  int max_attempts = 10;
  int timeout_ms = 30000;
  int initial_backoff_ms = 250;
  int max_backoff_ms = 8000;

  // Reads TOKCOST_ENDPOINT, YC_API_KEY, YC_IAM_TOKEN, YC_FOLDER_ID,
  // TOKCOST_RATE_LIMIT.
  static EndpointConfig FromEnvironment(
      const std::function<std::string(const std::string&)>& getenv);

  // "gpt://<folder>/<model>" ("-" stands for a missing folder).
  std::string ModelUri(const std::string& model_and_branch) const;
  // Which variable to check when the endpoint says 401/403.
  std::string CredentialName() const;
};

enum class TokenizeKind { kText, kCompletion };
const char* TokenizeKindName(TokenizeKind kind);  // "tokenize", "tokenizeCompletion"

struct TokenizeCall {
  TokenizeKind kind = TokenizeKind::kText;
  std::string body;   // the JSON request body
  std::string label;  // names the input in errors, e.g. "chats.jsonl:17"
};

struct TokenizeReply {
  int64_t tokens = 0;
  std::string model_version;
  int attempts = 0;
  // Each token's "text" and "special" as the endpoint gave them ("" and
  // false when missing): TokenLengthsInText reads where tokens start.
  std::vector<std::string> token_texts;
  std::vector<bool> special;
};

std::string TokenizeTextBody(const std::string& model_uri, const std::string& text);
std::string TokenizeCompletionBody(const std::string& model_uri,
                                   const std::vector<ChatMessage>& messages);

// Parses a tokenize response; errors say what is wrong with it.
StatusOr<TokenizeReply> ParseTokenizeResponse(const std::string& body);

// The byte length of each non-special token of `reply` in `text`, the text
// that was tokenized (calibration learns where tokens start from them).
// Token texts are read SentencePiece-style: U+2581 stands for a space and
// "<0xHH>" for one byte; a space the tokenizer put before the first token
// (a dummy prefix) is dropped. Unless the texts spell `text` exactly, the
// result is an error saying at which token and byte they stop matching
// (it never quotes the text: prompts may be confidential).
StatusOr<std::vector<uint32_t>> TokenLengthsInText(std::string_view text,
                                                   const TokenizeReply& reply);

class EndpointClient {
 public:
  explicit EndpointClient(EndpointConfig config);
  ~EndpointClient();

  // Results align with `calls`. `on_done` (optional) is called as each call
  // finishes, with its index and result, so that callers can keep each
  // success (in a cache) the moment it arrives.
  using OnDone = std::function<void(size_t index, const StatusOr<TokenizeReply>& result)>;
  std::vector<StatusOr<TokenizeReply>> Run(const std::vector<TokenizeCall>& calls,
                                           const OnDone& on_done = {});

  const EndpointConfig& config() const { return config_; }

 private:
  EndpointConfig config_;
};

}  // namespace tokcost

#endif  // TOKCOST_TOKENIZER_ENDPOINT_CLIENT_H_
