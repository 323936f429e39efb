// The model catalog (data/models.json): which models exist, how their
// tokens are counted, which modes they offer.
//
//   StatusOr<Catalog> catalog = Catalog::Load("data/models.json");
//   StatusOr<ResolvedModel> m = catalog->Resolve("gpt://b1g.../yandexgpt/rc");
//   m->model->id;  // "yandexgpt-pro-5.1"
//
// Immutable after Load; thread-safe.
#ifndef TOKCOST_PRICING_CATALOG_H_
#define TOKCOST_PRICING_CATALOG_H_

#include <string>
#include <vector>

#include "tools/base/status.h"

namespace tokcost {

struct ModelInfo {
  std::string id;
  std::string display_name;
  std::string uri_name;
  std::string uri_branch;  // empty: any branch
  std::vector<std::string> aliases;
  std::string tokenizer;      // exact tokenizer name, or "endpoint"
  std::string chat_template;  // empty for endpoint models
  std::vector<std::string> modes;
  int64_t context_window = 0;
  std::string note;

  bool Offers(const std::string& mode) const;
  bool CountsThroughEndpoint() const { return tokenizer == "endpoint"; }
};

struct ResolvedModel {
  const ModelInfo* model = nullptr;
  std::string folder;  // from a gpt:// URI, else empty
  bool fine_tuned = false;  // "@suffix" URI: billed as the base model
};

class Catalog {
 public:
  static StatusOr<Catalog> Load(const std::string& path);

  // Accepts an id, an alias, a modelUri name, or a full
  // gpt://<folder>/<name>[/<branch>][@<tuning>] URI.
  StatusOr<ResolvedModel> Resolve(const std::string& name) const;

  const std::vector<ModelInfo>& models() const { return models_; }

 private:
  std::vector<ModelInfo> models_;
};

}  // namespace tokcost

#endif  // TOKCOST_PRICING_CATALOG_H_
