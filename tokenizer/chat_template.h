// Chat templates (data/chat_templates.json): how a chat request becomes
// tokens for a model with an exact tokenizer.
//
//   StatusOr<ChatTemplates> all = ChatTemplates::Load("data/chat_templates.json");
//   const ChatTemplate* chatml = all->Find("chatml");
//   StatusOr<size_t> n = chatml->Count(*tokenizer, {{"user", "Привет"}});
//
// A rendered request is a sequence of control tokens (one token each) and
// ordinary text (counted by the tokenizer as plain text, so message content
// that looks like a control token is never taken for one). Immutable;
// thread-safe.
#ifndef TOKCOST_TOKENIZER_CHAT_TEMPLATE_H_
#define TOKCOST_TOKENIZER_CHAT_TEMPLATE_H_

#include <map>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"
#include "tools/base/status.h"

namespace tokcost {

struct ChatMessage {
  std::string role;     // system, user, assistant, tool, ...
  std::string content;
};

struct TemplatePart {
  bool special = false;  // a control token
  std::string text;
};

class ChatTemplate {
 public:
  // The request as control tokens and text, with adjacent text merged and
  // the generation prompt appended.
  std::vector<TemplatePart> Render(const std::vector<ChatMessage>& messages) const;

  // Tokens of the rendered request.
  StatusOr<size_t> Count(const Tokenizer& tokenizer,
                         const std::vector<ChatMessage>& messages,
                         const TokenizeOptions& options = {}) const;

  const std::string& name() const { return name_; }

 private:
  friend class ChatTemplates;
  std::string name_;
  std::vector<TemplatePart> begin_;
  std::vector<TemplatePart> message_;
  std::map<std::string, std::vector<TemplatePart>> roles_;
  std::vector<TemplatePart> generation_;
  std::map<std::string, std::string> role_names_;
  bool merge_system_into_first_user_ = false;
};

class ChatTemplates {
 public:
  static StatusOr<ChatTemplates> Load(const std::string& path);
  const ChatTemplate* Find(const std::string& name) const;

 private:
  std::map<std::string, ChatTemplate> templates_;
};

}  // namespace tokcost

#endif  // TOKCOST_TOKENIZER_CHAT_TEMPLATE_H_
