// data/tokenizers.json: which tokenizers exist and where their vocabularies
// come from (see the file's own "schema" note).
#include <nlohmann/json.hpp>

#include "tokenizer/tokenizer.h"
#include "tools/base/file_util.h"
#include "tools/base/json_file.h"

namespace tokcost {

StatusOr<std::vector<TokenizerSpec>> LoadTokenizerSpecs(const std::string& path) {
  return ReadJsonFile(path, [&](nlohmann::json& j) -> StatusOr<std::vector<TokenizerSpec>> {
    if (!j.contains("tokenizers") || !j["tokenizers"].is_array()) {
      return InvalidArgumentError(path + ": $.tokenizers: expected an array");
    }
    std::vector<TokenizerSpec> specs;
    const auto& list = j["tokenizers"];
    for (size_t i = 0; i < list.size(); ++i) {
      const auto& t = list[i];
      std::string where = path + ": $.tokenizers[" + std::to_string(i) + "]";
      TokenizerSpec spec;
      for (auto [field, target] :
           {std::pair{"name", &spec.name}, {"format", &spec.format},
            {"package", &spec.package}, {"version", &spec.version},
            {"file", &spec.file}, {"sha256", &spec.sha256}}) {
        if (!t.contains(field) || !t[field].is_string()) {
          return InvalidArgumentError(where + "." + field + ": expected a string");
        }
        *target = t[field].get<std::string>();
      }
      spec.pattern = t.value("pattern", "");
      spec.description = t.value("description", "");
      if (t.contains("special_tokens")) {
        if (!t["special_tokens"].is_object()) {
          return InvalidArgumentError(where + ".special_tokens: expected an object");
        }
        for (auto it = t["special_tokens"].begin(); it != t["special_tokens"].end(); ++it) {
          if (!it->is_number_unsigned()) {
            return InvalidArgumentError(where + ".special_tokens." + it.key() +
                                        ": expected a token id");
          }
          spec.special_tokens[it.key()] = it->get<uint32_t>();
        }
      }
      if (spec.format == "tiktoken" && spec.pattern.empty()) {
        return InvalidArgumentError(where + ".pattern: required for tiktoken files");
      }
      specs.push_back(std::move(spec));
    }
    return specs;
  });
}

const TokenizerSpec* FindTokenizerSpec(const std::vector<TokenizerSpec>& specs,
                                       std::string_view name) {
  for (const TokenizerSpec& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace tokcost
