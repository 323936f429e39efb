#include "pricing/workload.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <simdjson.h>
#include <sstream>

namespace tokcost {

// Lines are parsed with simdjson's DOM parser, which validates a whole line
// (UTF-8 included) as nlohmann does, several times faster: nlohmann's lexer
// and allocations were about 60% of the instructions of `estimate` on a
// JSONL workload.
struct WorkloadReader::JsonParser {
  simdjson::dom::parser parser;
  std::string normalized;  // a line re-serialized by nlohmann (see Parse)
};

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Parses one line into *out (valid until the parser's next parse).
// simdjson 3.0 refuses integers beyond 64 bits, which JSON allows and
// nlohmann reads as doubles: such a line is re-serialized by nlohmann
// first (into *normalized), so it is read as before.
bool Parse(simdjson::dom::parser& parser, std::string* normalized, const std::string& line,
           element* out) {
  const simdjson::error_code error = parser.parse(line).get(*out);
  if (error == simdjson::SUCCESS) return true;
  if (error != simdjson::NUMBER_ERROR) return false;
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) return false;
  *normalized = j.dump();
  return parser.parse(*normalized).get(*out) == simdjson::SUCCESS;
}

// The values of `keys` in an object, in one pass over its fields instead
// of one search per key. A key given twice gives its last value, as
// nlohmann did (simdjson's own lookup gives the first).
template <size_t N>
std::array<std::optional<element>, N> Fields(object o, const std::array<std::string_view, N>& keys) {
  std::array<std::optional<element>, N> values;
  for (simdjson::dom::key_value_pair field : o) {
    for (size_t k = 0; k < N; ++k) {
      if (field.key == keys[k]) {
        values[k] = field.value;
        break;
      }
    }
  }
  return values;
}

std::optional<element> Field(object o, std::string_view key) { return Fields<1>(o, {key})[0]; }

// A JSON value as text, for tool calls and their results: nlohmann's
// compact form (keys sorted), as counted before simdjson read the lines.
std::string JsonText(element e) {
  return nlohmann::json::parse(simdjson::to_string(e)).dump();
}

// A token count or limit: a whole number, or its digits as a string.
// Negative numbers and ones beyond int64 are refused (nlohmann's reader
// wrapped 9999999999999999999 round to a negative limit, and 20 digits in
// a string made std::stoll throw).
std::optional<int64_t> IntOrString(element v) {
  int64_t n;
  if (v.get_int64().get(n) == simdjson::SUCCESS) {
    if (n < 0) return std::nullopt;
    return n;
  }
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) {
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    return std::stoll(std::string(s));
  }
  return std::nullopt;
}

WorkloadFormat Detect(element j) {
  object o;
  if (j.get_object().get(o) != simdjson::SUCCESS) return WorkloadFormat::kText;
  if (Field(o, "request")) return WorkloadFormat::kYandexBatch;
  if (auto body = Field(o, "body"); body && body->is_object()) return WorkloadFormat::kOpenAIChat;
  if (Field(o, "modelUri") || Field(o, "completionOptions")) return WorkloadFormat::kYandexCompletion;
  array messages;
  if (auto list = Field(o, "messages"); list && list->get_array().get(messages) == simdjson::SUCCESS) {
    for (element m : messages) {
      object mo;
      if (m.get_object().get(mo) != simdjson::SUCCESS) continue;
      if (Field(mo, "content")) return WorkloadFormat::kOpenAIChat;
      if (Field(mo, "text") || Field(mo, "toolCallList") || Field(mo, "toolResultList")) {
        return WorkloadFormat::kYandexCompletion;
      }
    }
    return WorkloadFormat::kOpenAIChat;
  }
  return WorkloadFormat::kText;
}

// Where a message is, for its errors: "messages[3]". Named only when
// something is wrong (a string per message was 4% of the instructions of
// an estimate of the example workload x500).
struct MessageAt {
  const char* list;
  size_t index;
  Status Error(std::string_view what) const {
    return InvalidArgumentError(std::string(list) + "[" + std::to_string(index) + "]" + std::string(what));
  }
};

// A message's role, which must be a string.
Status Role(const std::optional<element>& role, const MessageAt& at, ChatMessage* msg) {
  std::string_view s;
  if (!role || role->get_string().get(s) != simdjson::SUCCESS) return at.Error(".role: expected a string");
  msg->role = std::string(s);
  return OkStatus();
}

// Yandex messages: role plus exactly one of text, toolCallList, toolResultList.
Status YandexMessages(element list, const char* field, std::vector<ChatMessage>* out) {
  array messages;
  if (list.get_array().get(messages) != simdjson::SUCCESS) {
    return InvalidArgumentError(std::string(field) + ": expected an array");
  }
  size_t i = 0;
  for (element m : messages) {
    const MessageAt at{field, i++};
    object mo;
    if (m.get_object().get(mo) != simdjson::SUCCESS) return at.Error(".role: expected a string");
    const auto [role, text, calls, results] =
        Fields<4>(mo, {"role", "text", "toolCallList", "toolResultList"});
    ChatMessage msg;
    if (Status st = Role(role, at, &msg); !st.ok()) return st;
    int parts = 0;
    if (text) {
      std::string_view s;
      if (text->get_string().get(s) != simdjson::SUCCESS) return at.Error(".text: expected a string");
      msg.content = std::string(s);
      ++parts;
    }
    for (const std::optional<element>& tool : {calls, results}) {
      if (tool) {
        msg.content = JsonText(*tool);
        ++parts;
      }
    }
    if (parts != 1) {
      return at.Error(": expected exactly one of text, toolCallList, toolResultList");
    }
    out->push_back(std::move(msg));
  }
  return OkStatus();
}

// OpenAI content: a string, null, or text parts (joined by newlines).
Status OpenAIContent(element content, const MessageAt& at, std::string* out) {
  std::string_view s;
  if (content.get_string().get(s) == simdjson::SUCCESS) {
    *out = std::string(s);
    return OkStatus();
  }
  if (content.is_null()) return OkStatus();
  array parts;
  if (content.get_array().get(parts) != simdjson::SUCCESS) {
    return at.Error(".content: expected a string or text parts");
  }
  for (element part : parts) {
    object po;
    if (part.get_object().get(po) != simdjson::SUCCESS) {
      return at.Error(".content: only text parts can be counted");
    }
    const auto [type_field, text_field] = Fields<2>(po, {"type", "text"});
    std::string_view type, text;
    if (!type_field || type_field->get_string().get(type) != simdjson::SUCCESS || type != "text" ||
        !text_field) {
      return at.Error(".content: only text parts can be counted");
    }
    if (text_field->get_string().get(text) != simdjson::SUCCESS) {
      return at.Error(".content: a text part's text must be a string");
    }
    if (!out->empty()) *out += "\n";
    *out += text;
  }
  return OkStatus();
}

Status OpenAIMessages(element body, Request* request) {
  object bo;
  array messages;
  std::optional<element> list;
  if (body.get_object().get(bo) != simdjson::SUCCESS || !(list = Field(bo, "messages")) ||
      list->get_array().get(messages) != simdjson::SUCCESS) {
    return InvalidArgumentError("messages: expected an array");
  }
  size_t i = 0;
  for (element m : messages) {
    const MessageAt at{"messages", i++};
    object mo;
    if (m.get_object().get(mo) != simdjson::SUCCESS) return at.Error(".role: expected a string");
    const auto [role, content, calls] = Fields<3>(mo, {"role", "content", "tool_calls"});
    ChatMessage msg;
    if (Status st = Role(role, at, &msg); !st.ok()) return st;
    if (content) {
      if (Status st = OpenAIContent(*content, at, &msg.content); !st.ok()) return st;
    }
    if (calls) msg.content += JsonText(*calls);
    request->messages.push_back(std::move(msg));
  }
  for (const char* key : {"max_completion_tokens", "max_tokens"}) {
    if (std::optional<element> v = Field(bo, key); v && !v->is_null()) {
      request->max_tokens = IntOrString(*v);
      if (!request->max_tokens) return InvalidArgumentError(std::string(key) + ": expected a whole number");
      break;
    }
  }
  return OkStatus();
}

Status YandexCompletion(object j, Request* request) {
  const std::optional<element> messages = Field(j, "messages");
  if (!messages) return InvalidArgumentError("expected \"messages\" (yandex-completion format)");
  if (std::optional<element> uri = Field(j, "modelUri")) {
    std::string_view s;
    if (uri->get_string().get(s) != simdjson::SUCCESS) {
      return InvalidArgumentError("modelUri: expected a string");
    }
    request->model_uri = std::string(s);
  }
  object options;
  if (auto o = Field(j, "completionOptions"); o && o->get_object().get(options) == simdjson::SUCCESS) {
    if (std::optional<element> max = Field(options, "maxTokens")) {
      request->max_tokens = IntOrString(*max);
      if (!request->max_tokens) {
        return InvalidArgumentError("completionOptions.maxTokens: expected a whole number");
      }
    }
  }
  return YandexMessages(*messages, "messages", &request->messages);
}

// The first "usage" object, depth-first through result, response and body.
std::optional<object> FindUsage(object o, int depth = 0) {
  if (depth > 4) return std::nullopt;
  object found;
  if (std::optional<element> usage = Field(o, "usage");
      usage && usage->get_object().get(found) == simdjson::SUCCESS) {
    return found;
  }
  for (const char* key : {"result", "response", "body"}) {
    object inner;
    if (std::optional<element> v = Field(o, key); v && v->get_object().get(inner) == simdjson::SUCCESS) {
      if (std::optional<object> u = FindUsage(inner, depth + 1)) return u;
    }
  }
  return std::nullopt;
}

}  // namespace

StatusOr<int64_t> UsageOutputTokens(const std::string& line) {
  // A parser per thread: its buffers are kept from one line to the next.
  thread_local simdjson::dom::parser parser;
  thread_local std::string normalized;
  element j;
  object o;
  if (!Parse(parser, &normalized, line, &j) || j.get_object().get(o) != simdjson::SUCCESS) {
    return InvalidArgumentError("not a JSON object");
  }
  const std::optional<object> usage = FindUsage(o);
  if (!usage) return InvalidArgumentError("no \"usage\" object");
  for (const char* key : {"completionTokens", "completion_tokens", "output_tokens"}) {
    const std::optional<element> v = Field(*usage, key);
    if (!v) continue;
    if (std::optional<int64_t> n = IntOrString(*v)) return *n;
    return InvalidArgumentError(std::string("usage.") + key + ": expected a whole number");
  }
  return InvalidArgumentError("usage has no completionTokens / completion_tokens");
}

StatusOr<WorkloadFormat> ParseWorkloadFormat(const std::string& name) {
  if (name == "auto") return WorkloadFormat::kAuto;
  if (name == "yandex-batch") return WorkloadFormat::kYandexBatch;
  if (name == "yandex-completion") return WorkloadFormat::kYandexCompletion;
  if (name == "openai-chat") return WorkloadFormat::kOpenAIChat;
  if (name == "text") return WorkloadFormat::kText;
  return InvalidArgumentError("unknown format \"" + name +
                              "\" (auto, yandex-batch, yandex-completion, openai-chat, text)");
}

const char* WorkloadFormatName(WorkloadFormat f) {
  switch (f) {
    case WorkloadFormat::kAuto: return "auto";
    case WorkloadFormat::kYandexBatch: return "yandex-batch";
    case WorkloadFormat::kYandexCompletion: return "yandex-completion";
    case WorkloadFormat::kOpenAIChat: return "openai-chat";
    case WorkloadFormat::kText: return "text";
  }
  return "?";
}

WorkloadReader::WorkloadReader(std::string path, std::unique_ptr<std::ifstream> file, std::istream* in)
    : path_(std::move(path)), file_(std::move(file)), in_(in), json_(std::make_unique<JsonParser>()) {}

WorkloadReader::~WorkloadReader() = default;

StatusOr<std::unique_ptr<WorkloadReader>> WorkloadReader::Open(const std::string& path,
                                                               WorkloadFormat format,
                                                               std::istream* stdin_stream) {
  std::unique_ptr<std::ifstream> file;
  std::istream* in = stdin_stream;
  if (path != "-") {
    file = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*file) return NotFoundError(path + ": cannot open: " + std::strerror(errno));
    in = file.get();
  }
  std::unique_ptr<WorkloadReader> r(new WorkloadReader(path, std::move(file), in));
  r->format_ = format;
  if (format == WorkloadFormat::kAuto) {
    // The first non-empty line decides.
    std::string line;
    while (std::getline(*r->in_, line)) {
      ++r->line_no_;
      r->bytes_read_ += line.size() + 1;
      r->pending_ += line + "\n";
      if (line.find_first_not_of(" \t\r") != std::string::npos) break;
    }
    element j;
    r->format_ = Parse(r->json_->parser, &r->json_->normalized, line, &j) ? Detect(j) : WorkloadFormat::kText;
    r->has_pending_ = true;
    if (r->format_ != WorkloadFormat::kText) r->pending_ = line;
  }
  return r;
}

bool WorkloadReader::Next(Request* request, Status* error) {
  *error = OkStatus();
  if (done_) return false;
  *request = Request();
  if (format_ == WorkloadFormat::kText) {
    std::ostringstream all;
    if (has_pending_) all << pending_;
    all << in_->rdbuf();
    request->messages.push_back({"user", all.str()});
    bytes_read_ += request->messages[0].content.size();
    request->location = path_;
    done_ = true;
    return true;
  }
  std::string line;
  while (true) {
    if (has_pending_) {
      line = std::move(pending_);
      has_pending_ = false;
    } else {
      if (!std::getline(*in_, line)) {
        done_ = true;
        return false;
      }
      ++line_no_;
      bytes_read_ += line.size() + 1;
    }
    if (line.find_first_not_of(" \t\r") != std::string::npos) break;
  }
  request->location = path_ + ":" + std::to_string(line_no_);
  Status st = ParseLine(line, request);
  if (!st.ok()) *error = st.WithContext(request->location);
  return true;
}

Status WorkloadReader::ParseLine(const std::string& line, Request* request) {
  element j;
  object o;
  if (!Parse(json_->parser, &json_->normalized, line, &j) || j.get_object().get(o) != simdjson::SUCCESS) {
    return InvalidArgumentError("not a JSON object");
  }
  switch (format_) {
    case WorkloadFormat::kYandexBatch: {
      std::optional<element> list = Field(o, "request");
      if (!list) return InvalidArgumentError("expected {\"request\": [...]} (yandex-batch format)");
      return YandexMessages(*list, "request", &request->messages);
    }
    case WorkloadFormat::kYandexCompletion:
      return YandexCompletion(o, request);
    case WorkloadFormat::kOpenAIChat:
      return OpenAIMessages(Field(o, "body").value_or(j), request);
    default:
      return InternalError("unexpected format");
  }
}

}  // namespace tokcost
