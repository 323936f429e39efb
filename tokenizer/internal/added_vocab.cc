#include "tokenizer/internal/added_vocab.h"

#include "tokenizer/internal/flat_map.h"

namespace tokcost::tokenizer_internal {

void AddedVocab::Add(std::string_view content, uint32_t id, bool special) {
  if (content.empty()) return;
  uint32_t node = 0;
  for (unsigned char b : content) {
    auto [it, inserted] = edges_.emplace(Edge(node, b), node_id_.size());
    if (inserted) {
      node_id_.push_back(kNoId);
      node_special_.push_back(false);
    }
    node = it->second;
  }
  if (node_id_[node] == kNoId && !special) ++plain_count_;
  node_id_[node] = id;
  node_special_[node] = special;
  first_byte_.set(static_cast<unsigned char>(content[0]));
  if (content.find('\n') != std::string_view::npos) has_newline_ = true;
  AddNewlineFollowers(content, &newline_followers_);
}

size_t AddedVocab::MatchAt(std::string_view text, size_t pos,
                           bool allow_special, uint32_t* id) const {
  uint32_t node = 0;
  size_t best = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    auto it = edges_.find(Edge(node, static_cast<unsigned char>(text[i])));
    if (it == edges_.end()) break;
    node = it->second;
    if (node_id_[node] != kNoId && (allow_special || !node_special_[node])) {
      best = i + 1 - pos;
      *id = node_id_[node];
    }
  }
  return best;
}

}  // namespace tokcost::tokenizer_internal
