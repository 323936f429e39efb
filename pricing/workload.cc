#include "pricing/workload.h"

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

namespace tokcost {
namespace {

using Json = nlohmann::json;

std::optional<int64_t> IntOrString(const Json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoll(s);
  }
  return std::nullopt;
}

WorkloadFormat Detect(const Json& j) {
  if (!j.is_object()) return WorkloadFormat::kText;
  if (j.contains("request")) return WorkloadFormat::kYandexBatch;
  if (j.contains("body") && j["body"].is_object()) return WorkloadFormat::kOpenAIChat;
  if (j.contains("modelUri") || j.contains("completionOptions")) {
    return WorkloadFormat::kYandexCompletion;
  }
  if (j.contains("messages") && j["messages"].is_array()) {
    for (const Json& m : j["messages"]) {
      if (m.is_object() && m.contains("content")) return WorkloadFormat::kOpenAIChat;
      if (m.is_object() && (m.contains("text") || m.contains("toolCallList") ||
                            m.contains("toolResultList"))) {
        return WorkloadFormat::kYandexCompletion;
      }
    }
    return WorkloadFormat::kOpenAIChat;
  }
  return WorkloadFormat::kText;
}

// Yandex messages: role plus exactly one of text, toolCallList, toolResultList.
Status YandexMessages(const Json& list, const char* field, std::vector<ChatMessage>* out) {
  if (!list.is_array()) return InvalidArgumentError(std::string(field) + ": expected an array");
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& m = list[i];
    const std::string where = std::string(field) + "[" + std::to_string(i) + "]";
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
      return InvalidArgumentError(where + ".role: expected a string");
    }
    ChatMessage msg{m["role"].get<std::string>(), ""};
    int parts = 0;
    if (m.contains("text")) {
      if (!m["text"].is_string()) return InvalidArgumentError(where + ".text: expected a string");
      msg.content = m["text"].get<std::string>();
      ++parts;
    }
    for (const char* key : {"toolCallList", "toolResultList"}) {
      if (m.contains(key)) {
        msg.content = m[key].dump();
        ++parts;
      }
    }
    if (parts != 1) {
      return InvalidArgumentError(where + ": expected exactly one of text, toolCallList, toolResultList");
    }
    out->push_back(std::move(msg));
  }
  return OkStatus();
}

Status OpenAIMessages(const Json& body, Request* request) {
  if (!body.contains("messages") || !body["messages"].is_array()) {
    return InvalidArgumentError("messages: expected an array");
  }
  const Json& list = body["messages"];
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& m = list[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
      return InvalidArgumentError(where + ".role: expected a string");
    }
    ChatMessage msg{m["role"].get<std::string>(), ""};
    const Json& content = m.contains("content") ? m["content"] : Json();
    if (content.is_string()) {
      msg.content = content.get<std::string>();
    } else if (content.is_array()) {
      for (const Json& part : content) {
        if (part.is_object() && part.value("type", "") == "text" && part.contains("text")) {
          if (!msg.content.empty()) msg.content += "\n";
          msg.content += part["text"].get<std::string>();
        } else {
          return InvalidArgumentError(where + ".content: only text parts can be counted");
        }
      }
    } else if (!content.is_null()) {
      return InvalidArgumentError(where + ".content: expected a string or text parts");
    }
    if (m.contains("tool_calls")) msg.content += m["tool_calls"].dump();
    request->messages.push_back(std::move(msg));
  }
  for (const char* key : {"max_completion_tokens", "max_tokens"}) {
    if (body.contains(key) && !body[key].is_null()) {
      std::optional<int64_t> v = IntOrString(body[key]);
      if (!v) return InvalidArgumentError(std::string(key) + ": expected a whole number");
      request->max_tokens = v;
      break;
    }
  }
  return OkStatus();
}

}  // namespace

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
    Json j = Json::parse(line, nullptr, false);
    r->format_ = j.is_discarded() ? WorkloadFormat::kText : Detect(j);
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

Status WorkloadReader::ParseLine(const std::string& line, Request* request) const {
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError("not a JSON object");
  }
  try {
    switch (format_) {
      case WorkloadFormat::kYandexBatch:
        if (!j.contains("request")) {
          return InvalidArgumentError("expected {\"request\": [...]} (yandex-batch format)");
        }
        return YandexMessages(j["request"], "request", &request->messages);
      case WorkloadFormat::kYandexCompletion: {
        if (!j.contains("messages")) {
          return InvalidArgumentError("expected \"messages\" (yandex-completion format)");
        }
        request->model_uri = j.value("modelUri", "");
        if (j.contains("completionOptions") && j["completionOptions"].contains("maxTokens")) {
          request->max_tokens = IntOrString(j["completionOptions"]["maxTokens"]);
          if (!request->max_tokens) {
            return InvalidArgumentError("completionOptions.maxTokens: expected a whole number");
          }
        }
        return YandexMessages(j["messages"], "messages", &request->messages);
      }
      case WorkloadFormat::kOpenAIChat:
        return OpenAIMessages(j.contains("body") ? j["body"] : j, request);
      default:
        return InternalError("unexpected format");
    }
  } catch (const Json::exception& e) {
    return InvalidArgumentError(std::string("unexpected JSON structure: ") + e.what());
  }
}

}  // namespace tokcost
