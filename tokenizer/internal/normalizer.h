// Text normalization applied before pre-tokenization (Hugging Face
// "normalizer"): none, NFC (Qwen3) or literal replacement (Gemma 3 turns
// " " into "\u2581"). Immutable; Apply is thread-safe.
#ifndef TOKCOST_TOKENIZER_INTERNAL_NORMALIZER_H_
#define TOKCOST_TOKENIZER_INTERNAL_NORMALIZER_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokcost::tokenizer_internal {

class Normalizer {
 public:
  struct Step {
    enum Kind { kNfc, kReplace } kind;
    std::string pattern;  // kReplace only
    std::string content;  // kReplace only
  };

  Normalizer() = default;
  explicit Normalizer(std::vector<Step> steps) : steps_(std::move(steps)) {}

  bool identity() const { return steps_.empty(); }

  // Whether normalizing text cut after a newline, part by part, may differ
  // from normalizing the whole: only a replacement whose pattern holds a
  // newline can match across the cut (NFC cannot: a newline composes with
  // nothing, and the cuts Pipeline::Count makes come before a starter).
  bool MayJoinAcrossNewlines() const {
    for (const Step& s : steps_) {
      if (s.kind == Step::kReplace && s.pattern.find('\n') != std::string::npos) return true;
    }
    return false;
  }

  const std::vector<Step>& steps() const { return steps_; }

  // Returns the normalized text: `text` itself when nothing changes,
  // otherwise a view of *storage.
  std::string_view Apply(std::string_view text, std::string* storage) const;

 private:
  std::vector<Step> steps_;
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_NORMALIZER_H_
