#include <algorithm>
#include <cmath>
#include <cstring>
#include <istream>
#include <memory>

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

// Where the stretch starting at `begin` ends: where a piece would
// (PieceEnd), but in a line longer than 8 * size at the first character
// from there. A stretch cut inside a line loses its words' context at the
// cut, but without such cuts one long line would be a single stretch, read
// by the lexicon whole or not at all. The newline is looked for only up to
// there: searched to the line's end for every stretch, a line of n bytes
// took time n^2 / (8 * size).
size_t StretchEnd(std::string_view text, size_t begin, size_t size) {
  const size_t limit = std::min(text.size(), begin + 8 * size);
  size_t end = ApproxStream::PieceEnd(text.substr(0, limit), begin, size);
  if (end < limit || limit == text.size()) return end;
  if (text[limit - 1] == '\n') {  // a run of newlines reaches the limit
    while (end < text.size() && text[end] == '\n') ++end;
    return end;
  }
  while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  return end;
}

// The characters of all classes.
double Characters(const ApproxFeatures& f) {
  double chars = 0;
  for (int c = 0; c < kMixClasses; ++c) chars += f[c];
  return chars;
}

// The regressors of a stretch: all of them when the sample is large enough
// to fit them, else its characters alone (a ratio estimate).
std::vector<double> Regressors(const ApproxFeatures& f, bool all) {
  if (all) return std::vector<double>(f.begin(), f.begin() + kRegressors);
  return {Characters(f)};
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

size_t ApproxStream::PieceEnd(std::string_view text, size_t begin, size_t size) {
  for (size_t from = begin + std::max<size_t>(size, 1) - 1; from < text.size();) {
    const void* nl = std::memchr(text.data() + from, '\n', text.size() - from);
    if (nl == nullptr) break;
    size_t end = static_cast<const char*>(nl) - text.data() + 1;
    while (end < text.size() && text[end] == '\n') ++end;
    return end;
  }
  return text.size();
}

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
    const size_t end = StretchEnd(piece, begin, options_.stretch_bytes);
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

Status ApproxStream::ReadPieces(std::istream& in, size_t piece_bytes,
                                const std::function<Status(std::string_view)>& take) {
  piece_bytes = std::max<size_t>(piece_bytes, 1);
  // Read in quarters of a piece: a piece ends past piece_bytes, and what
  // is read beyond its end (less than a quarter) is moved to the front of
  // the buffer before the next read if it would not fit. The buffer stays
  // about a piece and a half, in the caches from the read to the scan.
  // (Reading whole pieces left about a piece over at every cut: the buffer
  // grew to four pieces and every byte was copied once more.) Not a
  // std::string: resizing one zeroes what the read overwrites (3% of
  // approximating 1 GB).
  const size_t chunk = (piece_bytes + 3) / 4;
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0, begin = 0, size = 0;  // [begin, size): not handed out
  // Where PieceEnd starts looking: past the bytes already searched when no
  // cut came (all but the last, a newline perhaps), so a long stretch
  // without one is searched once.
  size_t from = piece_bytes;
  bool at_end = false;
  while (true) {
    const std::string_view text(buffer.get() + begin, size - begin);
    const size_t end = PieceEnd(text, 0, from);
    if (end < text.size() || at_end) {
      if (end > 0) TOKCOST_RETURN_IF_ERROR(take(text.substr(0, end)));
      begin += end;
      from = piece_bytes;
      if (begin == size) return OkStatus();  // at_end: nothing is left over
      continue;
    }
    // No cut yet, or one the next byte decides: read on.
    from = std::max(from, text.size());
    if (size + chunk > capacity) {
      const size_t keep = size - begin;
      if (keep + chunk > capacity) {
        capacity = std::max(piece_bytes + 2 * chunk, 2 * (keep + chunk));
        std::unique_ptr<char[]> bigger(new char[capacity]);
        if (keep > 0) std::memcpy(bigger.get(), buffer.get() + begin, keep);
        buffer = std::move(bigger);
      } else {
        std::memmove(buffer.get(), buffer.get() + begin, keep);
      }
      begin = 0;
      size = keep;
    }
    in.read(buffer.get() + size, static_cast<std::streamsize>(chunk));
    if (in.bad()) return InvalidArgumentError("read error");
    size += static_cast<size_t>(in.gcount());
    at_end = !in;
  }
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

  const double unsure_chars = Characters(unsure_features_);
  if (unsure_chars > 0 && sampled_.empty()) {
    // Too little text past whole_up_to for a single draw (its pi summed to
    // less than 1): the certain text's tokens per character, with an error
    // as large as the part predicted.
    const double certain_chars = Characters(f) - unsure_chars;
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
