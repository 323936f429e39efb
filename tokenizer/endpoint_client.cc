#include "tokenizer/endpoint_client.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "tokenizer/internal/curl_api.h"

namespace tokcost {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;
using tokenizer_internal::CurlApi;

// One call's progress through its attempts.
struct Attempt {
  size_t index;
  int attempt = 0;
  Clock::time_point not_before;
};

// A request in flight.
struct Transfer {
  Attempt attempt;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string response;
  std::string retry_after;
  char error[CURL_ERROR_SIZE] = {0};
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<Transfer*>(user)->response.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  std::string lower = line;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower.rfind("retry-after:", 0) == 0) {
    std::string v = line.substr(12);
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t\r\n") + 1);
    static_cast<Transfer*>(user)->retry_after = v;
  }
  return size * n;
}

// Removes credentials from text that may be shown (defence in depth: they
// are never put into messages in the first place).
std::string Redact(std::string text, const EndpointConfig& c) {
  for (const std::string& secret : {c.api_key, c.iam_token}) {
    if (secret.size() < 4) continue;
    for (size_t p; (p = text.find(secret)) != std::string::npos;) text.replace(p, secret.size(), "[redacted]");
  }
  return text;
}

std::string Snippet(const std::string& body) {
  std::string s = body.substr(0, 200);
  for (char& ch : s) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  return s + (body.size() > 200 ? "..." : "");
}

}  // namespace

EndpointConfig EndpointConfig::FromEnvironment(
    const std::function<std::string(const std::string&)>& getenv) {
  EndpointConfig c;
  if (std::string url = getenv("TOKCOST_ENDPOINT"); !url.empty()) c.base_url = url;
  c.api_key = getenv("YC_API_KEY");
  c.iam_token = getenv("YC_IAM_TOKEN");
  c.folder_id = getenv("YC_FOLDER_ID");
  if (std::string rate = getenv("TOKCOST_RATE_LIMIT"); !rate.empty()) {
    double r = std::atof(rate.c_str());
    if (r > 0) c.requests_per_second = r;
  }
  return c;
}

std::string EndpointConfig::ModelUri(const std::string& model_and_branch) const {
  return "gpt://" + (folder_id.empty() ? std::string("-") : folder_id) + "/" + model_and_branch;
}

std::string EndpointConfig::CredentialName() const {
  if (!api_key.empty()) return "YC_API_KEY";
  if (!iam_token.empty()) return "YC_IAM_TOKEN";
  return "YC_API_KEY or YC_IAM_TOKEN (neither is set)";
}

const char* TokenizeKindName(TokenizeKind kind) {
  return kind == TokenizeKind::kText ? "tokenize" : "tokenizeCompletion";
}

std::string TokenizeTextBody(const std::string& model_uri, const std::string& text) {
  return Json{{"modelUri", model_uri}, {"text", text}}.dump();
}

std::string TokenizeCompletionBody(const std::string& model_uri,
                                   const std::vector<ChatMessage>& messages) {
  Json msgs = Json::array();
  for (const ChatMessage& m : messages) msgs.push_back({{"role", m.role}, {"text", m.content}});
  return Json{{"modelUri", model_uri}, {"messages", msgs}}.dump();
}

StatusOr<TokenizeReply> ParseTokenizeResponse(const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return UnavailableError("malformed response (not a JSON object): " + Snippet(body));
  }
  if (!j.contains("tokens") || !j["tokens"].is_array()) {
    return UnavailableError("malformed response (no \"tokens\" array): " + Snippet(body));
  }
  for (const Json& t : j["tokens"]) {
    if (!t.is_object() || !t.contains("id")) {
      return UnavailableError("malformed response (a token without \"id\")");
    }
  }
  TokenizeReply r;
  r.tokens = static_cast<int64_t>(j["tokens"].size());
  r.token_texts.reserve(j["tokens"].size());
  r.special.reserve(j["tokens"].size());
  for (const Json& t : j["tokens"]) {
    auto text = t.find("text");
    auto special = t.find("special");
    r.token_texts.push_back(text != t.end() && text->is_string() ? text->get<std::string>() : "");
    r.special.push_back(special != t.end() && special->is_boolean() && special->get<bool>());
  }
  if (j.contains("modelVersion") && j["modelVersion"].is_string()) {
    r.model_version = j["modelVersion"].get<std::string>();
  }
  return r;
}

EndpointClient::EndpointClient(EndpointConfig config) : config_(std::move(config)) {}

EndpointClient::~EndpointClient() = default;

std::vector<StatusOr<TokenizeReply>> EndpointClient::Run(
    const std::vector<TokenizeCall>& calls, const OnDone& on_done) {
  StatusOr<const CurlApi*> loaded = tokenizer_internal::GetCurlApi();
  if (!loaded.ok()) {
    std::vector<StatusOr<TokenizeReply>> failed(calls.size(), loaded.status());
    for (size_t i = 0; on_done && i < failed.size(); ++i) on_done(i, failed[i]);
    return failed;
  }
  const CurlApi& curl = **loaded;
  std::vector<std::optional<StatusOr<TokenizeReply>>> results(calls.size());
  std::deque<Attempt> queue;
  for (size_t i = 0; i < calls.size(); ++i) queue.push_back({i, 0, Clock::now()});
  std::mt19937 rng(std::random_device{}());
  const auto spacing = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / std::max(config_.requests_per_second, 0.01)));
  Clock::time_point next_start = Clock::now();
  std::string auth;
  if (!config_.api_key.empty()) auth = "Authorization: Api-Key " + config_.api_key;
  else if (!config_.iam_token.empty()) auth = "Authorization: Bearer " + config_.iam_token;

  CURLM* multi = curl.multi_init();
  std::map<CURL*, std::unique_ptr<Transfer>> in_flight;
  size_t done = 0;

  auto finish = [&](size_t index, StatusOr<TokenizeReply> r) {
    results[index] = std::move(r);
    ++done;
    if (on_done) on_done(index, *results[index]);
  };
  auto retry_or_fail = [&](Transfer& t, const std::string& why) {
    Attempt a = t.attempt;
    if (a.attempt >= config_.max_attempts) {
      finish(a.index, UnavailableError(calls[a.index].label + ": " +
                                       TokenizeKindName(calls[a.index].kind) + " failed after " +
                                       std::to_string(a.attempt) + " attempts: " + why));
      return;
    }
    // Exponential backoff with full jitter; Retry-After is a floor.
    double cap = std::min<double>(config_.max_backoff_ms,
                                  config_.initial_backoff_ms * std::pow(2.0, a.attempt - 1));
    double wait_ms = std::uniform_real_distribution<double>(cap / 2, cap)(rng);
    if (!t.retry_after.empty()) {
      double s = std::atof(t.retry_after.c_str());
      if (s > 0) wait_ms = std::max(wait_ms, std::min(s * 1000.0, 60000.0));
    }
    a.not_before = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(wait_ms));
    queue.push_back(a);
  };

  while (done < calls.size()) {
    // Start what the rate limit and the in-flight cap allow.
    Clock::time_point now = Clock::now();
    for (size_t scanned = 0, n = queue.size();
         scanned < n && static_cast<int>(in_flight.size()) < config_.max_in_flight && now >= next_start;
         ++scanned) {
      Attempt a = queue.front();
      queue.pop_front();
      if (a.not_before > now) {
        queue.push_back(a);
        continue;
      }
      ++a.attempt;
      auto t = std::make_unique<Transfer>();
      t->attempt = a;
      const TokenizeCall& call = calls[a.index];
      std::string url = config_.base_url;
      while (!url.empty() && url.back() == '/') url.pop_back();
      url += std::string("/foundationModels/v1/") + TokenizeKindName(call.kind);
      t->easy = curl.easy_init();
      t->headers = curl.slist_append(t->headers, "Content-Type: application/json");
      if (!auth.empty()) t->headers = curl.slist_append(t->headers, auth.c_str());
      if (!config_.folder_id.empty()) {
        t->headers = curl.slist_append(t->headers, ("x-folder-id: " + config_.folder_id).c_str());
      }
      curl.easy_setopt(t->easy, CURLOPT_URL, url.c_str());
      curl.easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
      curl.easy_setopt(t->easy, CURLOPT_POSTFIELDS, call.body.c_str());
      curl.easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(call.body.size()));
      curl.easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, OnBody);
      curl.easy_setopt(t->easy, CURLOPT_WRITEDATA, t.get());
      curl.easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, OnHeader);
      curl.easy_setopt(t->easy, CURLOPT_HEADERDATA, t.get());
      curl.easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->error);
      curl.easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_ms));
      curl.easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
      curl.easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
      curl.easy_setopt(t->easy, CURLOPT_SSL_VERIFYPEER, 1L);
      curl.easy_setopt(t->easy, CURLOPT_SSL_VERIFYHOST, 2L);
      curl.easy_setopt(t->easy, CURLOPT_USERAGENT, "tokcost");
      curl.multi_add_handle(multi, t->easy);
      in_flight[t->easy] = std::move(t);
      next_start = std::max(next_start, now) + spacing;
      now = Clock::now();
    }

    int running = 0;
    curl.multi_perform(multi, &running);
    int msgs = 0;
    while (CURLMsg* m = curl.multi_info_read(multi, &msgs)) {
      if (m->msg != CURLMSG_DONE) continue;
      auto it = in_flight.find(m->easy_handle);
      std::unique_ptr<Transfer> t = std::move(it->second);
      in_flight.erase(it);
      curl.multi_remove_handle(multi, t->easy);
      long status = 0;
      curl.easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      const CURLcode code = m->data.result;
      curl.easy_cleanup(t->easy);
      curl.slist_free_all(t->headers);
      const TokenizeCall& call = calls[t->attempt.index];
      const std::string what = std::string(TokenizeKindName(call.kind)) + " endpoint";
      if (code != CURLE_OK) {
        std::string err = t->error[0] ? t->error : curl.easy_strerror(code);
        retry_or_fail(*t, Redact(err, config_));
      } else if (status == 200) {
        StatusOr<TokenizeReply> r = ParseTokenizeResponse(t->response);
        if (r.ok()) {
          r->attempts = t->attempt.attempt;
          finish(t->attempt.index, std::move(r));
        } else {
          retry_or_fail(*t, Redact(r.status().message(), config_));
        }
      } else if (status == 429 || status >= 500) {
        retry_or_fail(*t, "HTTP " + std::to_string(status));
      } else if (status == 401 || status == 403) {
        finish(t->attempt.index,
               PermissionDeniedError(std::to_string(status) + " from the " + what + ": check " +
                                     config_.CredentialName() + " (and YC_FOLDER_ID)"));
      } else {
        finish(t->attempt.index,
               InvalidArgumentError(call.label + ": HTTP " + std::to_string(status) + " from the " +
                                    what + ": " + Redact(Snippet(t->response), config_)));
      }
    }
    if (done >= calls.size()) break;
    // Sleep until a transfer progresses or the next start is due.
    auto until = next_start - Clock::now();
    int wait_ms = static_cast<int>(std::clamp<int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(until).count(), 1, 50));
    if (in_flight.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    } else {
      curl.multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    }
  }
  curl.multi_cleanup(multi);
  std::vector<StatusOr<TokenizeReply>> out;
  out.reserve(results.size());
  for (auto& r : results) out.push_back(std::move(*r));
  return out;
}

}  // namespace tokcost
