// Workloads: the requests whose cost tokcost estimates, read as a stream.
//
//   StatusOr<std::unique_ptr<WorkloadReader>> r =
//       WorkloadReader::Open("chats.jsonl", WorkloadFormat::kAuto, &std::cin);
//   Request req; Status error;
//   while ((*r)->Next(&req, &error)) {
//     if (!error.ok()) { /* "chats.jsonl:17: ..." */ continue; }
//     ...
//   }
//
// Formats (auto-detected from a file's first non-empty line, or forced):
//   yandex-batch:      {"request":[{"role":"user","text":"..."}]}
//   yandex-completion: {"modelUri":..,"completionOptions":{"maxTokens":"500"},
//                       "messages":[{"role":..,"text":..}]}
//   openai-chat:       {"messages":[{"role":..,"content":..}],"max_tokens":N}
//                      (also OpenAI Batch API lines, {"body":{...}})
//   text:              the whole file is one user message.
// Lines are read with simdjson (pricing/workload.cc), as are the lines of a
// results file (UsageOutputTokens).
// A reader owns its file; not thread-safe.
#ifndef TOKCOST_PRICING_WORKLOAD_H_
#define TOKCOST_PRICING_WORKLOAD_H_

#include <cstdint>
#include <fstream>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tokenizer/chat_template.h"

#include "tools/base/status.h"

namespace tokcost {

struct Request {
  std::vector<ChatMessage> messages;  // tool calls and results as JSON text
  std::optional<int64_t> max_tokens;  // completionOptions.maxTokens / max_tokens
  std::string model_uri;              // yandex-completion only
  std::string location;               // "file:line" for messages
};

enum class WorkloadFormat { kAuto, kYandexBatch, kYandexCompletion, kOpenAIChat, kText };

StatusOr<WorkloadFormat> ParseWorkloadFormat(const std::string& name);
const char* WorkloadFormatName(WorkloadFormat format);

// Output tokens of one line of a results file (`--usage`): from the first
// "usage" object, looked for depth-first through "result", "response" and
// "body", its completionTokens, completion_tokens or output_tokens (a
// whole number, or its digits as a string). Reasoning tokens are part of
// them already and are not added again. Thread-compatible: each thread
// parses with a parser of its own.
StatusOr<int64_t> UsageOutputTokens(const std::string& line);

class WorkloadReader {
 public:
  ~WorkloadReader();

  // `path` "-" reads `stdin_stream`.
  static StatusOr<std::unique_ptr<WorkloadReader>> Open(const std::string& path,
                                                        WorkloadFormat format,
                                                        std::istream* stdin_stream);

  // Reads the next request. Returns false at the end. For a bad line it
  // returns true with *error set (naming file:line and the reason) and the
  // request left unspecified; reading may continue with the next line.
  bool Next(Request* request, Status* error);

  WorkloadFormat format() const { return format_; }
  const std::string& path() const { return path_; }
  // Bytes consumed so far (for progress).
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  struct JsonParser;  // simdjson's, kept out of this header

  WorkloadReader(std::string path, std::unique_ptr<std::ifstream> file, std::istream* in);
  Status ParseLine(const std::string& line, Request* request);

  std::string path_;
  std::unique_ptr<std::ifstream> file_;
  std::istream* in_;
  std::unique_ptr<JsonParser> json_;  // reused: its buffers grow to the longest line
  WorkloadFormat format_ = WorkloadFormat::kAuto;
  std::string pending_;  // first line, read for detection
  bool has_pending_ = false;
  bool done_ = false;
  int64_t line_no_ = 0;
  uint64_t bytes_read_ = 0;
};

}  // namespace tokcost

#endif  // TOKCOST_PRICING_WORKLOAD_H_
