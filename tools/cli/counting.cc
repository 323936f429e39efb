#include "tools/cli/counting.h"

#include "tools/base/file_util.h"

namespace tokcost::cli {
namespace {

class ExactCounter : public InputCounter {
 public:
  ExactCounter(const Tokenizer* tokenizer, const ChatTemplate* chat_template)
      : tokenizer_(tokenizer), template_(chat_template) {}

  StatusOr<int64_t> Count(const Request& request) override {
    StatusOr<size_t> n = template_->Count(*tokenizer_, request.messages);
    if (!n.ok()) return n.status();
    return static_cast<int64_t>(*n);
  }
  std::string method() const override { return "exact"; }

 private:
  const Tokenizer* tokenizer_;
  const ChatTemplate* template_;
};

}  // namespace

StatusOr<InputCounter*> CounterFactory::ForModel(const ModelInfo& model) {
  if (model.CountsThroughEndpoint()) {
    return FailedPreconditionError(
        "no counting method for " + model.id +
        ": it has no public tokenizer, and counting through the tokenize endpoint is not "
        "available in this build");
  }
  const std::string key = model.tokenizer + "/" + model.chat_template;
  auto it = counters_.find(key);
  if (it != counters_.end()) return it->second.get();
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
  auto& tokenizer = tokenizers_[model.tokenizer];
  if (!tokenizer) {
    StatusOr<std::unique_ptr<Tokenizer>> t = ctx_.LoadTokenizerByName(model.tokenizer);
    if (!t.ok()) return t.status();
    tokenizer = std::move(*t);
  }
  auto& counter = counters_[key];
  counter = std::make_unique<ExactCounter>(tokenizer.get(), chat_template);
  return counter.get();
}

}  // namespace tokcost::cli
