#include "pricing/catalog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tools/base/file_util.h"
#include "tools/base/json_file.h"

namespace tokcost {
namespace {

using Json = nlohmann::json;

Status Expect(bool ok, const std::string& where, const std::string& what) {
  return ok ? OkStatus() : InvalidArgumentError(where + ": expected " + what);
}

}  // namespace

bool ModelInfo::Offers(const std::string& mode) const {
  return std::find(modes.begin(), modes.end(), mode) != modes.end();
}

StatusOr<Catalog> Catalog::Load(const std::string& path) {
  return ReadJsonFile(path, [&](Json& j) -> StatusOr<Catalog> {
    TOKCOST_RETURN_IF_ERROR(
        Expect(j.contains("models") && j["models"].is_array(), path + ": $.models", "an array"));
    Catalog catalog;
    for (size_t i = 0; i < j["models"].size(); ++i) {
      const Json& m = j["models"][i];
      const std::string where = path + ": $.models[" + std::to_string(i) + "]";
      ModelInfo info;
      for (auto [key, target] : {std::pair{"id", &info.id}, {"display_name", &info.display_name},
                                 {"uri_name", &info.uri_name}, {"tokenizer", &info.tokenizer}}) {
        TOKCOST_RETURN_IF_ERROR(Expect(m.contains(key) && m[key].is_string(),
                                       where + "." + key, "a string"));
        *target = m[key].get<std::string>();
      }
      info.uri_branch = m.value("uri_branch", "");
      info.note = m.value("note", "");
      if (m.contains("chat_template") && m["chat_template"].is_string()) {
        info.chat_template = m["chat_template"].get<std::string>();
      }
      if (!info.CountsThroughEndpoint() && info.chat_template.empty()) {
        return InvalidArgumentError(where + ".chat_template: required for a local tokenizer");
      }
      TOKCOST_RETURN_IF_ERROR(Expect(m.contains("modes") && m["modes"].is_array(),
                                     where + ".modes", "an array of sync|async|batch"));
      for (const Json& mode : m["modes"]) {
        std::string s = mode.is_string() ? mode.get<std::string>() : "";
        TOKCOST_RETURN_IF_ERROR(Expect(s == "sync" || s == "async" || s == "batch",
                                       where + ".modes", "sync, async or batch"));
        info.modes.push_back(s);
      }
      if (m.contains("aliases")) {
        for (const Json& a : m["aliases"]) info.aliases.push_back(a.get<std::string>());
      }
      info.context_window = m.value("context_window", int64_t{0});
      catalog.models_.push_back(std::move(info));
    }
    return catalog;
  });
}

StatusOr<ResolvedModel> Catalog::Resolve(const std::string& name) const {
  ResolvedModel out;
  std::string key = name;
  std::string branch;
  const std::string kScheme = "gpt://";
  bool is_uri = key.rfind(kScheme, 0) == 0;
  if (is_uri) {
    std::string rest = key.substr(kScheme.size());
    size_t at = rest.find('@');
    if (at != std::string::npos) {
      out.fine_tuned = true;
      rest = rest.substr(0, at);
    }
    size_t slash = rest.find('/');
    if (slash == std::string::npos || slash == 0) {
      return InvalidArgumentError("model URI \"" + name +
                                  "\": expected gpt://<folder>/<name>[/<branch>]");
    }
    out.folder = rest.substr(0, slash);
    key = rest.substr(slash + 1);
    size_t branch_slash = key.find('/');
    if (branch_slash != std::string::npos) {
      branch = key.substr(branch_slash + 1);
      key = key.substr(0, branch_slash);
    }
  }
  // An exact id or alias wins; then the modelUri name (and branch).
  for (const ModelInfo& m : models_) {
    if (!is_uri && (m.id == key || std::count(m.aliases.begin(), m.aliases.end(), key))) {
      out.model = &m;
      return out;
    }
  }
  const ModelInfo* by_uri = nullptr;
  for (const ModelInfo& m : models_) {
    if (m.uri_name != key) continue;
    if (!m.uri_branch.empty() && !branch.empty() && m.uri_branch != branch) continue;
    if (by_uri == nullptr || (!branch.empty() && m.uri_branch == branch) ||
        (branch.empty() && m.uri_branch == "latest")) {
      by_uri = &m;
    }
  }
  if (by_uri != nullptr) {
    out.model = by_uri;
    return out;
  }
  return NotFoundError("unknown model \"" + name + "\" (see `tokcost models`)");
}

}  // namespace tokcost
