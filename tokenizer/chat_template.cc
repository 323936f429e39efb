#include "tokenizer/chat_template.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tools/base/file_util.h"
#include "tools/base/json_file.h"

namespace tokcost {
namespace {

using Json = nlohmann::json;

// Substitutes {role} and {content} in one pass, so that content holding
// "{role}" stays as written.
std::string Substitute(const std::string& pattern, const std::string& role,
                       const std::string& content) {
  std::string out;
  out.reserve(pattern.size() + content.size());
  size_t i = 0;
  for (size_t brace; (brace = pattern.find('{', i)) != std::string::npos;) {
    out.append(pattern, i, brace - i);
    if (pattern.compare(brace, 6, "{role}") == 0) {
      out += role;
      i = brace + 6;
    } else if (pattern.compare(brace, 9, "{content}") == 0) {
      out += content;
      i = brace + 9;
    } else {
      out += '{';
      i = brace + 1;
    }
  }
  out.append(pattern, i, std::string::npos);
  return out;
}

void Append(std::vector<TemplatePart>* out, TemplatePart part) {
  if (!part.special && !out->empty() && !out->back().special) {
    out->back().text += part.text;
  } else if (part.special || !part.text.empty()) {
    out->push_back(std::move(part));
  }
}

StatusOr<std::vector<TemplatePart>> ParseParts(const Json& list, const std::string& where) {
  if (!list.is_array()) return InvalidArgumentError(where + ": expected an array of parts");
  std::vector<TemplatePart> parts;
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& p = list[i];
    if (p.contains("special") && p["special"].is_string()) {
      parts.push_back({true, p["special"].get<std::string>()});
    } else if (p.contains("text") && p["text"].is_string()) {
      parts.push_back({false, p["text"].get<std::string>()});
    } else {
      return InvalidArgumentError(where + "[" + std::to_string(i) +
                                  "]: expected {\"special\": ...} or {\"text\": ...}");
    }
  }
  return parts;
}

}  // namespace

std::vector<TemplatePart> ChatTemplate::Render(const std::vector<ChatMessage>& input) const {
  // The messages are copied only to be merged (with Substitute's search
  // for braces: 1% of an estimate of the example workload x500).
  std::vector<ChatMessage> merged;
  if (merge_system_into_first_user_) {
    std::string system;
    std::vector<ChatMessage> rest;
    for (const ChatMessage& m : input) {
      if (m.role == "system") {
        system += (system.empty() ? "" : "\n\n") + m.content;
      } else {
        rest.push_back(m);
      }
    }
    if (!system.empty()) {
      auto first_user = std::find_if(rest.begin(), rest.end(),
                                     [](const ChatMessage& m) { return m.role == "user"; });
      if (first_user != rest.end()) {
        first_user->content = system + "\n\n" + first_user->content;
      } else {
        rest.insert(rest.begin(), ChatMessage{"user", system});
      }
    }
    merged = std::move(rest);
  }
  const std::vector<ChatMessage>& messages = merge_system_into_first_user_ ? merged : input;
  std::vector<TemplatePart> out;
  for (const TemplatePart& p : begin_) Append(&out, p);
  for (const ChatMessage& m : messages) {
    auto role_parts = roles_.find(m.role);
    const std::vector<TemplatePart>& parts =
        role_parts != roles_.end() ? role_parts->second : message_;
    auto renamed = role_names_.find(m.role);
    const std::string& role = renamed != role_names_.end() ? renamed->second : m.role;
    for (const TemplatePart& p : parts) {
      Append(&out, p.special ? p : TemplatePart{false, Substitute(p.text, role, m.content)});
    }
  }
  for (const TemplatePart& p : generation_) Append(&out, p);
  return out;
}

StatusOr<size_t> ChatTemplate::Count(const Tokenizer& tokenizer,
                                     const std::vector<ChatMessage>& messages,
                                     const TokenizeOptions& options) const {
  size_t total = 0;
  for (const TemplatePart& part : Render(messages)) {
    if (part.special) {
      ++total;
      continue;
    }
    TOKCOST_ASSIGN_OR_RETURN(size_t n, tokenizer.Count(part.text, options));
    total += n;
  }
  return total;
}

StatusOr<ChatTemplates> ChatTemplates::Load(const std::string& path) {
  return ReadJsonFile(path, [&](Json& j) -> StatusOr<ChatTemplates> {
    if (!j.contains("templates") || !j["templates"].is_object()) {
      return InvalidArgumentError(path + ": $.templates: expected an object");
    }
    ChatTemplates all;
    for (auto it = j["templates"].begin(); it != j["templates"].end(); ++it) {
      const std::string where = path + ": $.templates." + it.key();
      ChatTemplate t;
      t.name_ = it.key();
      const Json& v = *it;
      if (v.contains("begin")) {
        TOKCOST_ASSIGN_OR_RETURN(t.begin_, ParseParts(v["begin"], where + ".begin"));
      }
      if (v.contains("message")) {
        TOKCOST_ASSIGN_OR_RETURN(t.message_, ParseParts(v["message"], where + ".message"));
      }
      if (v.contains("roles")) {
        for (auto r = v["roles"].begin(); r != v["roles"].end(); ++r) {
          TOKCOST_ASSIGN_OR_RETURN(t.roles_[r.key()],
                                   ParseParts(*r, where + ".roles." + r.key()));
        }
      }
      if (t.message_.empty() && t.roles_.empty()) {
        return InvalidArgumentError(where + ": needs \"message\" or \"roles\"");
      }
      if (v.contains("generation")) {
        TOKCOST_ASSIGN_OR_RETURN(t.generation_, ParseParts(v["generation"], where + ".generation"));
      }
      if (v.contains("role_names")) {
        for (auto r = v["role_names"].begin(); r != v["role_names"].end(); ++r) {
          t.role_names_[r.key()] = r->get<std::string>();
        }
      }
      t.merge_system_into_first_user_ = v.value("system", "") == "merge_into_first_user";
      all.templates_[it.key()] = std::move(t);
    }
    return all;
  });
}

const ChatTemplate* ChatTemplates::Find(const std::string& name) const {
  auto it = templates_.find(name);
  return it == templates_.end() ? nullptr : &it->second;
}

}  // namespace tokcost
