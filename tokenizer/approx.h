// A fast local approximation of token counts that reports its own error
// bounds, calibrated against exact or endpoint counts.
//
//   StatusOr<ApproxProfile> p = ApproxProfile::Load("data/approx/o200k_base.json");
//   ApproxEstimate e = p->Estimate(text);   // e.tokens, e.low, e.high
//
// One pass over the bytes counts cheap features (characters per class:
// ASCII letters, digits, spaces, newlines, punctuation, Cyrillic, other
// 2-byte scripts, 3-byte and 4-byte characters, CJK; runs of each class,
// which stand for words and numbers; ASCII and Cyrillic words by length,
// since long words split into more tokens; upper-case letters; digit runs
// in groups of three); a profile's non-negative coefficients combine them
// into a count. A profile fitted against a local exact tokenizer also has a
// lexicon (internal/boundary_model.h): where that tokenizer starts tokens,
// by the characters around each position, learned from its own output. The
// lexicon's estimate is one more feature; it is what brings per-document
// error down, since classes and lengths cannot tell frequent words (one
// token) from rare ones. It costs a hash lookup per word it keeps, and one
// or more per character elsewhere.
//
// Error model: the residual variance of a text whose estimate is E is
// a*E + b*E^2: a random part that grows with size and a systematic part
// (the text differs from the calibration text) that grows with its square.
// Bounds are E -/+ k*sqrt(var), with k the 95th percentile of standardized
// held-out residuals (so coverage is measured, not assumed). For a total
// over many texts the random parts add (a*sum E) but the systematic part is
// taken as fully correlated (b*(sum E)^2): errors are not assumed to
// cancel. Immutable; thread-safe.
#ifndef TOKCOST_TOKENIZER_APPROX_H_
#define TOKCOST_TOKENIZER_APPROX_H_

#include <array>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tools/base/status.h"

namespace tokcost {

// 10 character classes, 10 run kinds, ASCII and Cyrillic words by length
// (1..11, 12+: 12 each), upper-case letters, capitalized words, digit
// groups, constant; then the lexicon's estimate and the letters of words
// it does not keep (both 0 without a lexicon).
inline constexpr int kApproxFeatures = 50;
inline constexpr int kLexiconFeature = 48;
inline constexpr int kUnknownLettersFeature = 49;
using ApproxFeatures = std::array<double, kApproxFeatures>;

// Names of the features, in order (for profiles and reports).
const std::vector<std::string>& ApproxFeatureNames();

// The hot path: one pass, no allocation. Leaves the lexicon features 0.
ApproxFeatures ComputeApproxFeatures(std::string_view text);

namespace tokenizer_internal {
class BoundaryModel;
class BoundaryModelBuilder;
}  // namespace tokenizer_internal

// Learns a lexicon from texts and their exact tokens' byte lengths.
class LexiconBuilder {
 public:
  LexiconBuilder();
  ~LexiconBuilder();
  // InvalidArgument when the lengths do not add up to the text's size.
  // `lexicon_text`: false for a calibration document (FitApproxProfile).
  Status Add(std::string_view text, const std::vector<uint32_t>& token_lengths,
             bool lexicon_text = true);
  bool empty() const;
  std::shared_ptr<const tokenizer_internal::BoundaryModel> Build() const;

  // Text that teaches the lexicon a vocabulary's whole-word tokens (" the",
  // "Algorithm"), each token's text as Tokenizer::TokenTexts gives it: to
  // be tokenized exactly and given to AddVocabulary. Words no lexicon text
  // has are otherwise estimated like the rarest words seen, and common
  // English words ("perhaps") at 2-3 tokens instead of 1. `words`, if
  // given, gets how many tokens were words.
  static std::string VocabularyWordsText(const std::vector<std::string>& token_texts,
                                         size_t* words = nullptr);
  // Adds that text with its exact tokens' lengths. Its words are kept, but
  // do not make a text look familiar (ApproxProfile::FamiliarWords): every
  // genre's common words are in a vocabulary.
  Status AddVocabulary(std::string_view text, const std::vector<uint32_t>& token_lengths);

 private:
  std::unique_ptr<tokenizer_internal::BoundaryModelBuilder> impl_;
};

struct ApproxEstimate {
  int64_t tokens = 0;
  int64_t low = 0;
  int64_t high = 0;
  double variance = 0;  // a*E + b*E^2 (before k)
  // Of an estimate whose lexicon part was sampled (ApproxStream): the
  // variance that sampling adds, already in the bounds (at 1.96 standard
  // errors, on top of the profile's k).
  double sampling_variance = 0;
  // False when the text's character mix lies outside the calibration
  // text's (ApproxProfile::Familiar), or the lexicon keeps too few of its
  // words (ApproxProfile::FamiliarWords): the bounds were not measured on
  // such text and may well not hold.
  bool familiar = true;
};

// The character classes whose shares make a text's "mix" (the first
// kMixClasses features: ASCII letters ... CJK).
inline constexpr int kMixClasses = 10;

// Sums estimates over many texts with the correlated/independent split
// described above; the variances sampling adds (ApproxStream) are
// independent and add.
class ApproxTotal {
 public:
  ApproxTotal(double a, double b, double k) : a_(a), b_(b), k_(k) {}
  void Add(double estimate, double sampling_variance = 0) {
    sum_ += estimate;
    sampling_variance_ += sampling_variance;
  }
  ApproxEstimate Result() const;

 private:
  double a_, b_, k_;
  double sum_ = 0;
  double sampling_variance_ = 0;
};

struct ApproxProfile {
  std::string name;           // tokenizer or model id
  std::string model_version;  // endpoint models, when known
  std::string created;        // YYYY-MM-DD
  std::string fitted_on;      // the kind of text
  bool provisional = false;   // not fitted on real counts: wide bounds
  int64_t sample_size = 0;
  ApproxFeatures coefficients{};
  // Set when fitted against an exact tokenizer's token boundaries; stored
  // beside the profile (NAME.lexicon).
  std::shared_ptr<const tokenizer_internal::BoundaryModel> lexicon;
  double var_a = 0, var_b = 0, k95 = 1.96;
  // The range of each class's share of characters over the calibration
  // documents (has_mix false in profiles without it: all text familiar).
  bool has_mix = false;
  std::array<double, kMixClasses> mix_low{}, mix_high{};
  // Held-out relative errors |E - T| / T.
  double heldout_p50 = 0, heldout_p95 = 0, heldout_coverage = 0;
  double heldout_aggregate_error = 0;
  int64_t heldout_documents = 0;

  // ComputeApproxFeatures plus the lexicon's estimate, through
  // FromFeatures; familiar also by FamiliarWords.
  ApproxEstimate Estimate(std::string_view text) const;
  ApproxEstimate FromFeatures(const ApproxFeatures& f) const;
  // `tokens` with the profile's bounds, widened by a sampling variance
  // (ApproxStream); familiar left true.
  ApproxEstimate WithBounds(double tokens, double sampling_variance = 0) const;
  ApproxTotal NewTotal() const { return ApproxTotal(var_a, var_b, k95); }
  // Whether every class's share of the text's characters lies within the
  // calibration range, give or take kMixTolerance. A coarse check: on
  // Debian text (README, Accuracy) it flags every Russian document under an
  // English or code profile and the reverse, none of a profile's own kind,
  // but only 4 of 120 C/C++ documents under an English profile and 1 of 120
  // English ones under a C/C++ profile (whose bounds miss 101 of them):
  // FamiliarWords, below, tells genres apart.
  static constexpr double kMixTolerance = 0.05;
  bool Familiar(const ApproxFeatures& f) const;

  // A genre check, for profiles with a lexicon: the share of a text's
  // letters that are in words the lexicon keeps from text, not from a
  // vocabulary alone (BoundaryModel::WordCoverage::in_text), must not fall
  // more than kCoverageTolerance below the lowest share among the held-out
  // calibration documents. English under a
  // C/C++ profile, or code under an English one, mostly does (README,
  // Accuracy). Texts with fewer than kMinCoverageLetters letters in words
  // are not judged: too few words to tell.
  static constexpr double kCoverageTolerance = 0.05;
  static constexpr int64_t kMinCoverageLetters = 200;
  bool has_word_coverage = false;
  double word_coverage_low = 0;
  bool FamiliarWords(int64_t letters, int64_t kept_in_text) const;

  // Errors name the file and the JSON path, or the lexicon file.
  static StatusOr<ApproxProfile> Load(const std::string& path);
  // Writes `path` (JSON) and, with a lexicon, LexiconPath(path).
  Status Save(const std::string& path) const;
  static std::string LexiconPath(const std::string& profile_path);
  std::string ToJson() const;
};

// Estimates one text read in pieces (a file too large to hold at once),
// in memory bounded by the largest piece. The lexicon is the slow part of
// an estimate (about 100 MB/s, against 1.5 GB/s for the character pass), so
// in a text longer than `whole_up_to` it reads a sample: the text is cut
// into stretches of whole lines (about `stretch_bytes` each), the lexicon
// reads a stretch with probability pi, and its part of the estimate for
// the other stretches is predicted from their character features by a
// regression fitted on the sampled ones (the generalized regression
// estimator: the sampled stretches' residuals, weighted 1/pi, correct the
// prediction, so it is unbiased however good the fit). Stretches are drawn
// systematically along the cumulative pi from a random start, so the
// sample's size is set by pi, not left to chance. The variance sampling
// adds is estimated from the residuals and widens the bounds
// (ApproxEstimate::sampling_variance). pi is lexicon_bytes / size for a
// text of known size; for a stream of unknown length, every stretch before
// `whole_up_to` is read and then pi = lexicon_bytes / offset. The first
// stretch is always read, so that the prediction has a ratio to fall back
// on when the rest is too small for a draw. A text of at
// most `whole_up_to` bytes, or a profile without a lexicon, is estimated
// whole: given in one piece, exactly as ApproxProfile::Estimate does.
//
//   ApproxStream s(profile, file_size);
//   for (std::string_view piece : pieces) s.Add(piece);  // cut after '\n'
//   ApproxEstimate e = s.Result();
//
// `profile` must outlive it. Not thread-safe.
class ApproxStream {
 public:
  struct Options {
    int64_t whole_up_to = 16 << 20;
    int64_t lexicon_bytes = 4 << 20;
    size_t stretch_bytes = 4 << 10;
    uint64_t seed = 1;
  };
  // `total_bytes`: the text's size, or -1 when not known (a pipe).
  ApproxStream(const ApproxProfile& profile, int64_t total_bytes);
  ApproxStream(const ApproxProfile& profile, int64_t total_bytes, const Options& options);
  ~ApproxStream();

  // The next piece of the text. Every piece but the last must end with a
  // newline and the next must not start with one, so that no run of
  // characters is cut (the character features then add up exactly).
  void Add(std::string_view piece);
  // Where a piece starting at `begin` and at least `size` bytes long ends:
  // at the first place from begin + size on that Add accepts as a cut (just
  // past a newline that no newline follows), else at text.size(). Cutting
  // a text with it, in memory or as it is read, gives the same pieces.
  static size_t PieceEnd(std::string_view text, size_t begin, size_t size);
  // Reads `in` and hands `take` the pieces that PieceEnd(text, begin,
  // piece_bytes) cuts from the whole text, in memory bounded by about the
  // longest piece and a half. InvalidArgument on a read error; an error
  // `take` returns stops the reading and is returned.
  static Status ReadPieces(std::istream& in, size_t piece_bytes,
                           const std::function<Status(std::string_view)>& take);
  ApproxEstimate Result() const;
  // The character features of all of the text read so far (the lexicon's
  // left 0).
  ApproxFeatures Features() const;
  // Bytes the lexicon read, as a share of the text's.
  double LexiconShare() const;

 private:
  struct Sampled;
  // Text the lexicon reads: with its character features, or (AddLexicon)
  // without, for text whose features are already added.
  void AddWhole(std::string_view text);
  void AddLexicon(std::string_view text);
  // The lexicon's estimate of `text`, and the letters of words it does not
  // keep (the two lexicon features), of all words, and of words in text.
  double Lexicon(std::string_view text, double* unknown, double* letters, double* in_text);

  const ApproxProfile& profile_;
  int64_t total_bytes_;
  Options options_;
  int64_t bytes_ = 0;
  int64_t lexicon_read_ = 0;
  ApproxFeatures features_{};
  // The lexicon features and word coverage of the text it read whole.
  double certain_lexicon_ = 0, certain_unknown_ = 0;
  double certain_letters_ = 0, certain_in_text_ = 0;
  // The character features of the stretches that may go unread: the
  // regression predicts their lexicon part from these.
  ApproxFeatures unsure_features_{};
  double next_draw_;  // the cumulative pi at which the next stretch is drawn
  double cumulative_pi_ = 0;
  std::vector<Sampled> sampled_;
};

// One calibration document: its features and its exact count; with its
// text and its tokens' byte lengths when a lexicon is to be learned.
struct CalibrationSample {
  ApproxFeatures features;
  double tokens;
  std::string text;
  std::vector<uint32_t> token_lengths;
};

struct FitOptions {
  double holdout_fraction = 0.3;
  uint64_t seed = 1;
  // Learn a lexicon from the token lengths of the fitted samples that have
  // them (never the held-out ones), added to what `lexicon` already holds
  // (other text); nullptr: from the samples alone.
  bool learn_lexicon = false;
  LexiconBuilder* lexicon = nullptr;
};

// Fits coefficients (non-negative least squares) on part of the samples, and
// the error model and the word-coverage threshold on the rest. Fails with
// fewer than 10 samples.
StatusOr<ApproxProfile> FitApproxProfile(std::vector<CalibrationSample> samples,
                                         const FitOptions& options);

}  // namespace tokcost

#endif  // TOKCOST_TOKENIZER_APPROX_H_
