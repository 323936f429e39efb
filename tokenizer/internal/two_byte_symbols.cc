#include "tokenizer/internal/two_byte_symbols.h"

#include <cstring>
#include <utility>

#include "tokenizer/internal/short_bytes.h"

namespace tokcost::tokenizer_internal {
namespace {

bool IsLead(unsigned char b) { return b >= 0xC2 && b <= 0xDF; }
bool IsContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace

void TwoByteSymbols::NoteHolder(std::string_view bytes, uint32_t rank,
                                const std::vector<uint32_t>& ranks) {
  const size_t n = bytes.size();
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t i = 0; i + 1 < n; ++i) {
    if (!IsLead(u[i]) || !IsContinuation(u[i + 1])) continue;
    const int c = (u[i] - 0xC2) * 64 + (u[i + 1] & 0x3F);
    if (ids_[c] == kNoId || rank >= ranks[c]) continue;
    if (outranked_[c] == 0) {
      contexts_.emplace_back();
      outranked_[c] = static_cast<uint16_t>(contexts_.size());
    }
    Context& x = contexts_[outranked_[c] - 1];
    if (i > 0) Set(x.before, u[i - 1]);
    if (i + 2 < n) Set(x.after, u[i + 2]);
  }
}

TwoByteSymbols TwoByteSymbols::BuildFromMerges(const BytesToIdMap& vocab, const PairMap& merges,
                                               const uint32_t byte_ids[256]) {
  TwoByteSymbols s;
  std::vector<uint32_t> ranks(kChars, kNoId);  // of the merge that makes each character
  for (int lead = 0xC2; lead <= 0xDF; ++lead) {
    for (int second = 0x80; second <= 0xBF; ++second) {
      const Merge m = merges.Find(byte_ids[lead], byte_ids[second]);
      const int c = (lead - 0xC2) * 64 + (second & 0x3F);
      s.ids_[c] = m.merged;
      ranks[c] = m.rank;
    }
  }
  std::vector<std::string_view> bytes;  // of each id
  vocab.ForEach([&bytes](std::string_view token, uint32_t id) {
    if (id >= bytes.size()) bytes.resize(id + 1);
    bytes[id] = token;
  });
  auto bytes_of = [&bytes](uint32_t id) {
    return id < bytes.size() ? bytes[id] : std::string_view();
  };
  std::string joined;
  merges.ForEach([&](uint32_t left, uint32_t right, Merge m) {
    const std::string_view a = bytes_of(left), b = bytes_of(right);
    if (a.empty() || b.empty()) return;
    const auto* ua = reinterpret_cast<const unsigned char*>(a.data());
    const auto* ub = reinterpret_cast<const unsigned char*>(b.data());
    // A symbol ending with p joined to a lone lead byte L.
    if (b.size() == 1 && IsLead(ub[0])) {
      s.ends_before_lead_[ua[a.size() - 1]] |= uint32_t{1} << (ub[0] - 0xC2);
    }
    // A lone second byte T joined to a symbol starting with n.
    if (a.size() == 1 && IsContinuation(ua[0])) Set(s.starts_after_second_[ua[0] & 0x3F], ub[0]);
    joined.assign(a);
    joined += b;
    s.NoteHolder(joined, m.rank, ranks);
  });
  return s;
}

TwoByteSymbols TwoByteSymbols::Build(const BytesToIdMap& vocab) {
  TwoByteSymbols s;
  for (int lead = 0xC2; lead <= 0xDF; ++lead) {
    for (int second = 0x80; second <= 0xBF; ++second) {
      const char c[2] = {static_cast<char>(lead), static_cast<char>(second)};
      s.ids_[(lead - 0xC2) * 64 + (second & 0x3F)] = vocab.Find(std::string_view(c, 2));
    }
  }
  const std::vector<uint32_t> ranks = s.ids_;  // a token's rank is its id
  vocab.ForEach([&s, &ranks](std::string_view token, uint32_t rank) {
    const size_t n = token.size();
    if (n < 2) return;
    const auto* u = reinterpret_cast<const unsigned char*>(token.data());
    if (IsLead(u[n - 1])) s.ends_before_lead_[u[n - 2]] |= uint32_t{1} << (u[n - 1] - 0xC2);
    if (IsContinuation(u[0])) Set(s.starts_after_second_[u[0] & 0x3F], u[1]);
    if (n == 2) return;
    // Most tokens are ASCII: eight bytes at a time, any byte of 0x80 or
    // more (a third of the pass's instructions went to scanning them).
    uint64_t high = 0;
    size_t w = 0;
    for (; w + 8 <= n; w += 8) high |= Load64(token.data() + w);
    high |= HeadBytes(token.data() + w, n - w);
    if ((high & 0x8080808080808080ULL) == 0) return;
    s.NoteHolder(token, rank, ranks);
  });
  return s;
}

namespace {

template <typename T>
void Append(std::string* out, const T* data, size_t count) {
  out->append(reinterpret_cast<const char*>(data), sizeof(T) * count);
}

template <typename T>
bool Take(std::string_view* in, T* data, size_t count) {
  const size_t bytes = sizeof(T) * count;
  if (in->size() < bytes) return false;
  std::memcpy(data, in->data(), bytes);
  in->remove_prefix(bytes);
  return true;
}

}  // namespace

std::string TwoByteSymbols::Serialize() const {
  const uint32_t contexts = static_cast<uint32_t>(contexts_.size());
  std::string out;
  Append(&out, &contexts, 1);
  Append(&out, ids_.data(), kChars);
  Append(&out, ends_before_lead_, 256);
  Append(&out, &starts_after_second_[0][0], 64 * 4);
  Append(&out, outranked_.data(), kChars);
  for (const Context& x : contexts_) {
    Append(&out, x.before, 4);
    Append(&out, x.after, 4);
  }
  return out;
}

bool TwoByteSymbols::Deserialize(std::string_view in, TwoByteSymbols* out) {
  TwoByteSymbols s;
  uint32_t contexts = 0;
  if (!Take(&in, &contexts, 1) || contexts > kChars || !Take(&in, s.ids_.data(), kChars) ||
      !Take(&in, s.ends_before_lead_, 256) || !Take(&in, &s.starts_after_second_[0][0], 64 * 4) ||
      !Take(&in, s.outranked_.data(), kChars)) {
    return false;
  }
  s.contexts_.resize(contexts);
  for (Context& x : s.contexts_) {
    if (!Take(&in, x.before, 4) || !Take(&in, x.after, 4)) return false;
  }
  for (const uint16_t o : s.outranked_) {
    if (o > contexts) return false;
  }
  if (!in.empty()) return false;
  *out = std::move(s);
  return true;
}

int TwoByteSymbols::usable() const {
  int n = 0;
  for (uint32_t id : ids_) n += id != kNoId ? 1 : 0;
  return n;
}

}  // namespace tokcost::tokenizer_internal
