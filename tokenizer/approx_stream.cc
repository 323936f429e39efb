#include <algorithm>
#include <cmath>
#include <cstring>

#include "tokenizer/approx.h"
#include "tokenizer/internal/boundary_model.h"
#include "tokenizer/internal/nnls.h"

namespace tokcost {
namespace {

// The features the lexicon's part is predicted from: each class's
// characters and runs. On 100 MB of the corpus, all 47 character features
// (but the constant) left a sampling error a tenth smaller (41K against 46K
// tokens), but their fit (Nnls) took 15% of the estimate.
constexpr int kRegressors = 20;

// Draws in [0, 1) from a seed (splitmix64's finalizer).
double Uniform(uint64_t seed) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

// Where the stretch starting at `begin` ends: at the first line start at
// least `size` bytes on that follows no empty line; in a line longer than
// 8 * size, at the first character after that; or at the text's end. A
// stretch cut inside a line loses its words' context at the cut, but
// without such cuts one long line would be a single stretch, read by the
// lexicon whole or not at all.
size_t StretchEnd(std::string_view text, size_t begin, size_t size) {
  const size_t from = begin + size - 1;
  if (from >= text.size()) return text.size();
  const size_t limit = std::min(text.size(), begin + 8 * size);
  const void* nl = std::memchr(text.data() + from, '\n', text.size() - from);
  size_t end = nl != nullptr ? static_cast<const char*>(nl) - text.data() + 1 : text.size();
  if (end > limit) {
    end = limit;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    return end;
  }
  while (end < text.size() && text[end] == '\n') ++end;
  return end;
}

// The regressors of a stretch: all of them when the sample is large enough
// to fit them, else its characters alone (a ratio estimate).
std::vector<double> Regressors(const ApproxFeatures& f, bool all) {
  if (all) return std::vector<double>(f.begin(), f.begin() + kRegressors);
  double chars = 0;
  for (int c = 0; c < kMixClasses; ++c) chars += f[c];
  return {chars};
}

// Adds the character features but the constant.
void AddTo(ApproxFeatures* sum, const ApproxFeatures& f) {
  for (int i = 0; i < kLexiconFeature - 1; ++i) (*sum)[i] += f[i];
}

}  // namespace

struct ApproxStream::Sampled {
  ApproxFeatures features;
  double tokens;  // the lexicon's part of the estimate
  double pi;
  double letters, in_text;
};

ApproxStream::ApproxStream(const ApproxProfile& profile, int64_t total_bytes)
    : ApproxStream(profile, total_bytes, Options()) {}

ApproxStream::ApproxStream(const ApproxProfile& profile, int64_t total_bytes,
                           const Options& options)
    : profile_(profile),
      total_bytes_(total_bytes),
      options_(options),
      next_draw_(Uniform(options.seed)) {}

ApproxStream::~ApproxStream() = default;

double ApproxStream::Lexicon(std::string_view text, double* unknown, double* letters,
                             double* in_text) {
  tokenizer_internal::BoundaryModel::WordCoverage coverage;
  const double estimate = profile_.lexicon->Estimate(text, &coverage);
  lexicon_read_ += static_cast<int64_t>(text.size());
  *unknown = static_cast<double>(coverage.letters - coverage.kept);
  *letters = static_cast<double>(coverage.letters);
  *in_text = static_cast<double>(coverage.in_text);
  return estimate;
}

void ApproxStream::AddWhole(std::string_view text) {
  AddTo(&features_, ComputeApproxFeatures(text));
  if (profile_.lexicon) AddLexicon(text);
}

void ApproxStream::AddLexicon(std::string_view text) {
  double unknown, letters, in_text;
  certain_lexicon_ += Lexicon(text, &unknown, &letters, &in_text);
  certain_unknown_ += unknown;
  certain_letters_ += letters;
  certain_in_text_ += in_text;
}

void ApproxStream::Add(std::string_view piece) {
  if (piece.empty()) return;
  const int64_t start = bytes_;
  bytes_ += static_cast<int64_t>(piece.size());
  const int64_t whole = options_.whole_up_to;
  if (!profile_.lexicon || (total_bytes_ >= 0 ? total_bytes_ <= whole : bytes_ <= whole)) {
    AddWhole(piece);
    return;
  }
  // A piece whose every stretch may go unread is scanned whole (one call,
  // no scalar tail per stretch), and the stretches drawn again on their own.
  const bool unsure = total_bytes_ >= 0 ? options_.lexicon_bytes < total_bytes_ : start >= whole;
  if (unsure) {
    const ApproxFeatures f = ComputeApproxFeatures(piece);
    AddTo(&features_, f);
    AddTo(&unsure_features_, f);
  }
  const double c_lexicon = profile_.coefficients[kLexiconFeature];
  const double c_unknown = profile_.coefficients[kUnknownLettersFeature];
  for (size_t begin = 0; begin < piece.size();) {
    const size_t end = StretchEnd(piece, begin, std::max<size_t>(1, options_.stretch_bytes));
    const std::string_view stretch = piece.substr(begin, end - begin);
    const int64_t offset = start + static_cast<int64_t>(begin);
    const double pi =
        total_bytes_ >= 0 ? static_cast<double>(options_.lexicon_bytes) / static_cast<double>(total_bytes_)
        : offset < whole  ? 1.0
                          : static_cast<double>(options_.lexicon_bytes) / static_cast<double>(offset);
    begin = end;
    // The first stretch is always read, so that some text is (see Result).
    if (pi >= 1 || lexicon_read_ == 0) {
      if (unsure) {
        // Scanned with its piece as if it might go unread: it is not.
        const ApproxFeatures f = ComputeApproxFeatures(stretch);
        for (int i = 0; i < kLexiconFeature - 1; ++i) unsure_features_[i] -= f[i];
        AddLexicon(stretch);
      } else {
        AddWhole(stretch);
      }
      continue;
    }
    cumulative_pi_ += pi;
    const bool drawn = cumulative_pi_ >= next_draw_;
    if (unsure && !drawn) continue;
    const ApproxFeatures f = ComputeApproxFeatures(stretch);
    if (!unsure) {
      AddTo(&features_, f);
      AddTo(&unsure_features_, f);
    }
    if (!drawn) continue;
    next_draw_ += 1;
    Sampled s{f, 0, pi, 0, 0};
    double unknown;
    const double lexicon = Lexicon(stretch, &unknown, &s.letters, &s.in_text);
    s.tokens = c_lexicon * lexicon + c_unknown * unknown;
    sampled_.push_back(s);
  }
}

ApproxFeatures ApproxStream::Features() const {
  ApproxFeatures f = features_;
  f[kLexiconFeature - 1] = bytes_ > 0 ? 1 : 0;  // the constant
  return f;
}

ApproxEstimate ApproxStream::Result() const {
  const ApproxFeatures f = Features();
  // In ApproxProfile::Estimate's order, so that a text read whole gets the
  // same estimate to the last bit.
  double tokens = 0;
  for (int i = 0; i < kLexiconFeature; ++i) tokens += profile_.coefficients[i] * f[i];
  tokens += profile_.coefficients[kLexiconFeature] * certain_lexicon_;
  tokens += profile_.coefficients[kUnknownLettersFeature] * certain_unknown_;
  double letters = certain_letters_, in_text = certain_in_text_, sampling_variance = 0;

  double unsure_chars = 0;
  for (int c = 0; c < kMixClasses; ++c) unsure_chars += unsure_features_[c];
  if (unsure_chars > 0 && sampled_.empty()) {
    // Too little text past whole_up_to for a single draw (its pi summed to
    // less than 1): the certain text's tokens per character, with an error
    // as large as the part predicted.
    double certain_chars = 0;
    for (int c = 0; c < kMixClasses; ++c) certain_chars += f[c] - unsure_features_[c];
    const double certain_part = profile_.coefficients[kLexiconFeature] * certain_lexicon_ +
                                profile_.coefficients[kUnknownLettersFeature] * certain_unknown_;
    const double predicted = certain_chars > 0 ? certain_part / certain_chars * unsure_chars : 0;
    tokens += predicted;
    sampling_variance = predicted * predicted;
  } else if (!sampled_.empty()) {
    const size_t n = sampled_.size();
    const bool all = n >= 4 * static_cast<size_t>(kRegressors);
    std::vector<std::vector<double>> rows;
    std::vector<double> target;
    for (const Sampled& s : sampled_) {
      rows.push_back(Regressors(s.features, all));
      target.push_back(s.tokens);
    }
    const std::vector<double> beta = tokenizer_internal::Nnls(rows, target);
    auto predict = [&beta](const std::vector<double>& x) {
      double y = 0;
      for (size_t j = 0; j < beta.size(); ++j) y += beta[j] * x[j];
      return y;
    };
    tokens += predict(Regressors(unsure_features_, all));
    for (size_t i = 0; i < n; ++i) {
      const Sampled& s = sampled_[i];
      const double residual = s.tokens - predict(rows[i]);
      tokens += residual / s.pi;
      sampling_variance += (1 - s.pi) / (s.pi * s.pi) * residual * residual;
      letters += s.letters / s.pi;
      in_text += s.in_text / s.pi;
    }
    // The fit took `beta.size()` degrees of freedom from the residuals.
    if (n > beta.size()) sampling_variance *= static_cast<double>(n) / static_cast<double>(n - beta.size());
  }
  ApproxEstimate e = profile_.WithBounds(tokens, sampling_variance);
  e.familiar = profile_.Familiar(f) && profile_.FamiliarWords(std::llround(letters),
                                                               std::llround(in_text));
  return e;
}

double ApproxStream::LexiconShare() const {
  return bytes_ > 0 ? static_cast<double>(lexicon_read_) / static_cast<double>(bytes_) : 0;
}

}  // namespace tokcost
