#include "tools/server/server.h"

#include <httplib.h>
#include <unicode/utf8.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

namespace tokcost::server {
namespace {

using Json = nlohmann::json;

// "gpt://folder/name/branch" -> "name".
std::string ModelName(const std::string& uri) {
  std::string rest = uri.rfind("gpt://", 0) == 0 ? uri.substr(6) : uri;
  size_t at = rest.find('@');
  if (at != std::string::npos) rest = rest.substr(0, at);
  size_t slash = rest.find('/');
  if (slash != std::string::npos) rest = rest.substr(slash + 1);
  slash = rest.find('/');
  return slash == std::string::npos ? rest : rest.substr(0, slash);
}

void Error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(Json{{"error", {{"grpcCode", status == 401 ? 16 : 3}, {"httpCode", status},
                                  {"message", message}}}}.dump(),
                  "application/json");
}

// Tokens of `text` with their texts as the provider's API writes them,
// SentencePiece-style: U+2581 for a space, and "<0xHH>" bytes for a token
// that is not whole UTF-8 on its own. Texts stay empty when the tokens do
// not spell the text (a normalizer changed it).
StatusOr<std::vector<uint32_t>> EncodeWithTexts(const Tokenizer& tok, const std::string& text,
                                                std::vector<std::string>* texts) {
  TOKCOST_ASSIGN_OR_RETURN(std::vector<uint32_t> ids, tok.Encode(text));
  StatusOr<std::vector<uint32_t>> lengths = tok.TokenLengths(text, ids);
  if (!lengths.ok()) {
    texts->resize(texts->size() + ids.size());
    return ids;
  }
  size_t pos = 0;
  for (uint32_t len : *lengths) {
    const std::string_view piece(text.data() + pos, len);
    pos += len;
    std::string out;
    int32_t at = 0;
    UChar32 c = 0;
    bool valid = true;
    while (at < static_cast<int32_t>(piece.size()) && valid) {
      U8_NEXT(piece.data(), at, static_cast<int32_t>(piece.size()), c);
      valid = c >= 0;
    }
    if (!valid) {
      for (unsigned char b : piece) {
        char hex[8];
        std::snprintf(hex, sizeof(hex), "<0x%02X>", b);
        out += hex;
      }
    } else {
      for (char ch : piece) out += ch == ' ' ? std::string("\xE2\x96\x81") : std::string(1, ch);
    }
    texts->push_back(std::move(out));
  }
  return ids;
}

}  // namespace

struct TokenizeServer::Impl {
  FaultOptions faults;
  Resolver resolver;
  std::function<void(const std::string&)> log;
  httplib::Server http;
  std::mutex mu;
  std::mt19937_64 rng;
  std::map<std::string, int64_t> by_endpoint;
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> injected{0};

  double Roll() {
    std::lock_guard<std::mutex> lock(mu);
    return std::uniform_real_distribution<double>(0, 1)(rng);
  }

  void Count(const std::string& endpoint) {
    ++requests;
    std::lock_guard<std::mutex> lock(mu);
    ++by_endpoint[endpoint];
  }

  // Applies auth and injected faults; returns true when the request was
  // answered here.
  bool Intercept(const httplib::Request& req, httplib::Response& res) {
    if (faults.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(faults.latency_ms));
    if (!faults.require_key.empty() &&
        req.get_header_value("Authorization") != "Api-Key " + faults.require_key) {
      Error(res, 401, "Unauthorized");
      return true;
    }
    double r = Roll();
    if (r < faults.fail_rate) {
      ++injected;
      Error(res, faults.fail_status, "injected fault");
      if (faults.retry_after_s >= 0) res.set_header("Retry-After", std::to_string(faults.retry_after_s));
      return true;
    }
    r -= faults.fail_rate;
    if (r < faults.reset_rate) {
      ++injected;
      // Promise a body, send part of it, then drop the connection.
      res.set_content_provider(
          1000, "application/json",
          [](size_t offset, size_t, httplib::DataSink& sink) {
            if (offset == 0) sink.write("{\"tokens\":[", 11);
            return false;
          });
      return true;
    }
    r -= faults.reset_rate;
    if (r < faults.malformed_rate) {
      ++injected;
      res.set_content(Roll() < 0.5 ? "{\"tokens\": [{\"id\": \"1\"" : "{\"modelVersion\": \"x\"}",
                      "application/json");
      return true;
    }
    return false;
  }

  void Tokenize(const httplib::Request& req, httplib::Response& res, bool completion) {
    Count(completion ? "tokenizeCompletion" : "tokenize");
    if (Intercept(req, res)) return;
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("modelUri") ||
        !body["modelUri"].is_string()) {
      Error(res, 400, "request body must be a JSON object with modelUri");
      return;
    }
    StatusOr<Counting> counting = resolver(ModelName(body["modelUri"].get<std::string>()));
    if (!counting.ok()) {
      Error(res, 404, counting.status().message());
      return;
    }
    std::vector<uint32_t> ids;
    std::vector<bool> special;
    std::vector<std::string> texts;
    if (!completion) {
      if (!body.contains("text") || !body["text"].is_string()) {
        Error(res, 400, "text: expected a string");
        return;
      }
      StatusOr<std::vector<uint32_t>> e =
          EncodeWithTexts(*counting->tokenizer, body["text"].get<std::string>(), &texts);
      if (!e.ok()) {
        Error(res, 400, e.status().message());
        return;
      }
      ids = *e;
      special.assign(ids.size(), false);
    } else {
      if (!body.contains("messages") || !body["messages"].is_array()) {
        Error(res, 400, "messages: expected an array");
        return;
      }
      std::vector<ChatMessage> messages;
      for (const Json& m : body["messages"]) {
        if (!m.is_object() || !m.contains("role")) {
          Error(res, 400, "messages: each needs a role");
          return;
        }
        std::string text = m.contains("text") && m["text"].is_string() ? m["text"].get<std::string>()
                           : m.contains("toolCallList")                 ? m["toolCallList"].dump()
                           : m.contains("toolResultList")               ? m["toolResultList"].dump()
                                                                        : "";
        messages.push_back({m["role"].get<std::string>(), text});
      }
      for (const TemplatePart& part : counting->chat_template->Render(messages)) {
        if (part.special) {
          StatusOr<std::vector<uint32_t>> s =
              counting->tokenizer->Encode(part.text, TokenizeOptions{.allow_special = true});
          uint32_t id = s.ok() && s->size() == 1 ? (*s)[0] : 0;
          ids.push_back(id);
          special.push_back(true);
          texts.push_back(part.text);
          continue;
        }
        StatusOr<std::vector<uint32_t>> e = EncodeWithTexts(*counting->tokenizer, part.text, &texts);
        if (!e.ok()) {
          Error(res, 400, e.status().message());
          return;
        }
        ids.insert(ids.end(), e->begin(), e->end());
        special.resize(ids.size(), false);
      }
    }
    Json tokens = Json::array();
    for (size_t i = 0; i < ids.size(); ++i) {
      tokens.push_back(
          {{"id", std::to_string(ids[i])}, {"text", texts[i]}, {"special", bool(special[i])}});
    }
    res.set_content(Json{{"tokens", tokens}, {"modelVersion", counting->model_version}}.dump(),
                    "application/json");
  }
};

TokenizeServer::TokenizeServer(FaultOptions faults, Resolver resolver,
                               std::function<void(const std::string&)> log)
    : impl_(std::make_unique<Impl>()) {
  impl_->faults = faults;
  impl_->resolver = std::move(resolver);
  impl_->log = std::move(log);
  impl_->rng.seed(faults.seed);
  Impl* impl = impl_.get();
  impl->http.Post("/foundationModels/v1/tokenize",
                  [impl](const httplib::Request& q, httplib::Response& r) { impl->Tokenize(q, r, false); });
  impl->http.Post("/foundationModels/v1/tokenizeCompletion",
                  [impl](const httplib::Request& q, httplib::Response& r) { impl->Tokenize(q, r, true); });
  impl->http.Get("/stats", [impl](const httplib::Request&, httplib::Response& r) {
    Json j;
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      j = {{"requests", impl->requests.load()}, {"by_endpoint", impl->by_endpoint},
           {"faults", impl->injected.load()}};
    }
    r.set_content(j.dump(), "application/json");
  });
  impl->http.set_keep_alive_max_count(1000);
  // Clients keep up to ~16 connections open; each idle keep-alive connection
  // holds a worker, so the pool must be larger than that.
  impl->http.new_task_queue = [] { return new httplib::ThreadPool(64); };
}

TokenizeServer::~TokenizeServer() = default;

int TokenizeServer::Listen(const std::string& host, int port) {
  if (port == 0) return impl_->http.bind_to_any_port(host.c_str());
  return impl_->http.bind_to_port(host.c_str(), port) ? port : -1;
}

void TokenizeServer::Serve() { impl_->http.listen_after_bind(); }

void TokenizeServer::Stop() { impl_->http.stop(); }

}  // namespace tokcost::server
