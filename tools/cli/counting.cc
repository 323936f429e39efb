#include "tools/cli/counting.h"

#include <algorithm>
#include <functional>

#include "tools/base/file_util.h"
#include "tools/base/worker_pool.h"

namespace tokcost::cli {
namespace {

// How often a model's current modelVersion is confirmed with one probe
// request before cached counts are trusted.
constexpr int64_t kVersionProbeSeconds = 24 * 3600;
constexpr const char* kProbeText = "tokcost modelVersion probe";

class ExactCounter : public InputCounter {
 public:
  ExactCounter(const Tokenizer* tokenizer, const ChatTemplate* chat_template, int threads)
      : tokenizer_(tokenizer), template_(chat_template), threads_(threads) {}

  // Requests are independent: with several threads each counts a stripe,
  // and every result lands in its own slot, so output matches one thread.
  std::vector<Counted> CountRequests(const std::vector<const Request*>& requests) override {
    std::vector<Counted> out(requests.size());
    auto work = [&](size_t first, size_t step) {
      for (size_t i = first; i < requests.size(); i += step) {
        StatusOr<size_t> n = template_->Count(*tokenizer_, requests[i]->messages);
        out[i] = {n.ok() ? StatusOr<int64_t>(static_cast<int64_t>(*n))
                         : StatusOr<int64_t>(n.status().WithContext(requests[i]->location)),
                  "exact", {}};
      }
    };
    const size_t threads = std::min<size_t>(std::max(threads_, 1), requests.size() / 64 + 1);
    if (threads <= 1) {
      work(0, 1);
      return out;
    }
    // Pool threads keep their caches from one call to the next.
    WorkerPool::Shared().Run(threads, [&](size_t t) { work(t, threads); });
    return out;
  }

  std::vector<Counted> CountTexts(const std::vector<std::string_view>& texts,
                                  const std::vector<std::string>& labels) override {
    std::vector<Counted> out;
    for (size_t i = 0; i < texts.size(); ++i) {
      StatusOr<size_t> n = tokenizer_->Count(texts[i]);
      out.push_back({n.ok() ? StatusOr<int64_t>(static_cast<int64_t>(*n))
                            : StatusOr<int64_t>(n.status().WithContext(labels[i])),
                     "exact", {}});
    }
    return out;
  }

  std::vector<Counted> CountTextsWithLengths(const std::vector<std::string_view>& texts,
                                             const std::vector<std::string>& labels) override {
    std::vector<Counted> out;
    for (size_t i = 0; i < texts.size(); ++i) {
      // Texts a normalizer changes (NFC) are counted without lengths.
      StatusOr<std::vector<uint32_t>> lengths = tokenizer_->TokenLengths(texts[i]);
      if (!lengths.ok()) {
        out.push_back(std::move(CountTexts({texts[i]}, {labels[i]})[0]));
        continue;
      }
      out.push_back({static_cast<int64_t>(lengths->size()), "exact", *std::move(lengths)});
    }
    return out;
  }

 private:
  const Tokenizer* tokenizer_;
  const ChatTemplate* template_;
  int threads_;
};

// Counts through the tokenize endpoints; every answer is kept in the cache
// as it arrives and identical requests are sent once.
class EndpointCounter : public InputCounter {
 public:
  EndpointCounter(std::string model, EndpointClient* client, TokenCache* cache,
                  const EndpointSettings& settings, std::function<void(const std::string&)> warn)
      : model_(std::move(model)),
        client_(client),
        cache_(cache),
        settings_(settings),
        warn_(std::move(warn)) {}

  std::vector<Counted> CountRequests(const std::vector<const Request*>& requests) override {
    std::vector<Item> items;
    const std::string uri = client_->config().ModelUri(model_);
    for (const Request* r : requests) {
      std::string body = TokenizeCompletionBody(uri, r->messages);
      // The key leaves the folder out: counts do not depend on it.
      std::string content = TokenizeCompletionBody(model_, r->messages);
      items.push_back({TokenizeKind::kCompletion, std::move(body), std::move(content), r->location});
    }
    return Count(items);
  }

  std::vector<Counted> CountTexts(const std::vector<std::string_view>& texts,
                                  const std::vector<std::string>& labels) override {
    return Count(TextItems(texts, labels));
  }

  std::vector<Counted> CountTextsWithLengths(const std::vector<std::string_view>& texts,
                                             const std::vector<std::string>& labels) override {
    return Count(TextItems(texts, labels), /*with_lengths=*/true);
  }

 private:
  struct Item {
    TokenizeKind kind;
    std::string body;
    std::string content;
    std::string label;
  };

  std::vector<Item> TextItems(const std::vector<std::string_view>& texts,
                              const std::vector<std::string>& labels) const {
    std::vector<Item> items;
    const std::string uri = client_->config().ModelUri(model_);
    for (size_t i = 0; i < texts.size(); ++i) {
      std::string text(texts[i]);
      items.push_back({TokenizeKind::kText, TokenizeTextBody(uri, text), text, labels[i]});
    }
    return items;
  }

  Status ProbeVersion() {
    if (probed_ || settings_.offline || settings_.refresh) return OkStatus();
    probed_ = true;
    if (!cache_->NeedsProbe(model_, kVersionProbeSeconds)) return OkStatus();
    std::vector<StatusOr<TokenizeReply>> r = client_->Run(
        {{TokenizeKind::kText, TokenizeTextBody(client_->config().ModelUri(model_), kProbeText),
          "modelVersion probe for " + model_}});
    if (!r[0].ok()) return r[0].status();
    return cache_->NoteVersion(model_, r[0]->model_version);
  }

  std::vector<Counted> Count(const std::vector<Item>& items, bool with_lengths = false) {
    std::vector<Counted> out(items.size());
    if (Status st = ProbeVersion(); !st.ok()) {
      for (Counted& c : out) c.tokens = st;
      return out;
    }
    // Identical requests are looked up and sent once: `owner` points each
    // item at the first item with its key.
    std::map<std::string, size_t> first;
    std::vector<size_t> owner(items.size());
    std::vector<CacheKey> keys;
    std::vector<TokenizeCall> calls;
    std::vector<size_t> call_item;
    for (size_t i = 0; i < items.size(); ++i) {
      StatusOr<CacheKey> key = CacheKey::For(model_, TokenizeKindName(items[i].kind), items[i].content);
      if (!key.ok()) {  // libcrypto missing: no item can be looked up
        for (Counted& c : out) c.tokens = key.status();
        return out;
      }
      keys.push_back(*std::move(key));
      auto [it, inserted] = first.emplace(keys[i].hash, i);
      owner[i] = it->second;
      if (!inserted) continue;
      if (!settings_.refresh) {
        // Offline, a count without its token lengths still counts.
        std::optional<CachedCount> hit = cache_->Lookup(keys[i], with_lengths);
        if (!hit && with_lengths && settings_.offline) hit = cache_->Lookup(keys[i]);
        if (hit) {
          out[i] = {hit->tokens, "cache", hit->token_lengths.value_or(std::vector<uint32_t>())};
          continue;
        }
      }
      if (settings_.offline) {
        out[i].tokens = FailedPreconditionError(
            items[i].label + ": not in the token cache, and --offline forbids the endpoint");
        continue;
      }
      calls.push_back({items[i].kind, items[i].body, items[i].label});
      call_item.push_back(i);
    }
    client_->Run(calls, [&](size_t k, const StatusOr<TokenizeReply>& r) {
      const size_t i = call_item[k];
      out[i].method = "endpoint";
      if (!r.ok()) {
        out[i].tokens = r.status();
        return;
      }
      out[i].tokens = r->tokens;
      CachedCount entry{r->tokens, r->model_version, std::nullopt};
      if (with_lengths) {
        // Texts the tokens do not spell are kept as such (empty lengths),
        // so that they are not asked again.
        StatusOr<std::vector<uint32_t>> lengths = TokenLengthsInText(items[i].content, *r);
        entry.token_lengths = lengths.ok() ? *lengths : std::vector<uint32_t>();
        out[i].token_lengths = *entry.token_lengths;
      }
      // Kept the moment it arrives: a run killed later loses nothing.
      Status st = cache_->Store({{keys[i], std::move(entry)}});
      if (!st.ok() && !warned_) {
        warned_ = true;
        warn_("token cache: " + st.message() + " (counts are still correct, but not kept)");
      }
    });
    for (size_t i = 0; i < items.size(); ++i) {
      if (owner[i] != i) out[i] = out[owner[i]];
    }
    return out;
  }

  std::string model_;
  EndpointClient* client_;
  TokenCache* cache_;
  const EndpointSettings& settings_;
  std::function<void(const std::string&)> warn_;
  bool probed_ = false;
  bool warned_ = false;
};

}  // namespace

CounterFactory::CounterFactory(const Context& ctx, int threads) : ctx_(ctx), threads_(threads) {}
CounterFactory::~CounterFactory() = default;

bool EndpointCountingConfigured(const Context& ctx) {
  const EndpointSettings& e = ctx.endpoint;
  return e.offline || e.explicit_endpoint || !e.config.api_key.empty() || !e.config.iam_token.empty();
}

StatusOr<const ChatTemplate*> CounterFactory::TemplateFor(const ModelInfo& model) {
  if (model.CountsThroughEndpoint()) return static_cast<const ChatTemplate*>(nullptr);
  if (!templates_) {
    StatusOr<ChatTemplates> t = ChatTemplates::Load(JoinPath(ctx_.data_dir, "chat_templates.json"));
    if (!t.ok()) return t.status();
    templates_ = std::make_unique<ChatTemplates>(std::move(*t));
  }
  const ChatTemplate* chat_template = templates_->Find(model.chat_template);
  if (chat_template == nullptr) {
    return InvalidArgumentError("model " + model.id + ": unknown chat template \"" +
                                model.chat_template + "\"");
  }
  return chat_template;
}

StatusOr<InputCounter*> CounterFactory::ForModel(const ModelInfo& model, bool force_endpoint) {
  if (model.CountsThroughEndpoint() || force_endpoint) {
    const EndpointSettings& e = ctx_.endpoint;
    if (!EndpointCountingConfigured(ctx_)) {
      return FailedPreconditionError(
          "no counting method for " + model.id +
          ": it has no public tokenizer; set YC_API_KEY (or YC_IAM_TOKEN) and YC_FOLDER_ID to "
          "count through the tokenize endpoint, pass --endpoint URL (for example a local "
          "tools/tokenize_server), --offline to use cached counts only, or --count approx "
          "for an estimate with bounds, counted locally");
    }
    // The model as the cache keys it: the URI without the folder.
    const std::string model_and_branch =
        model.uri_name + "/" + (model.uri_branch.empty() ? "latest" : model.uri_branch);
    const std::string key = "endpoint/" + model_and_branch;
    auto it = counters_.find(key);
    if (it != counters_.end()) return it->second.get();
    if (!cache_) {
      StatusOr<std::unique_ptr<TokenCache>> c = TokenCache::Open(e.cache_dir);
      if (!c.ok()) return c.status();
      cache_ = std::move(*c);
    }
    if (!client_) client_ = std::make_unique<EndpointClient>(e.config);
    auto& counter = counters_[key];
    counter = std::make_unique<EndpointCounter>(model_and_branch, client_.get(), cache_.get(), e,
                                                [this](const std::string& m) { ctx_.Error(m); });
    return counter.get();
  }
  const std::string key = model.tokenizer + "/" + model.chat_template;
  auto it = counters_.find(key);
  if (it != counters_.end()) return it->second.get();
  TOKCOST_ASSIGN_OR_RETURN(const ChatTemplate* chat_template, TemplateFor(model));
  TOKCOST_ASSIGN_OR_RETURN(const Tokenizer* tokenizer, TokenizerNamed(model.tokenizer));
  auto& counter = counters_[key];
  counter = std::make_unique<ExactCounter>(tokenizer, chat_template, threads_);
  return counter.get();
}

StatusOr<const Tokenizer*> CounterFactory::TokenizerNamed(const std::string& name) {
  auto& tokenizer = tokenizers_[name];
  if (!tokenizer) {
    StatusOr<std::unique_ptr<Tokenizer>> t = ctx_.LoadTokenizerByName(name);
    if (!t.ok()) return t.status();
    tokenizer = std::move(*t);
  }
  return tokenizer.get();
}

std::string CombineMethods(const std::map<std::string, int64_t>& methods) {
  std::string out;
  for (const auto& [name, n] : methods) {
    if (n > 0) out += (out.empty() ? "" : "+") + name;
  }
  return out;
}

}  // namespace tokcost::cli
