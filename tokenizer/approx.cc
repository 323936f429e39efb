#include "tokenizer/approx.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

#include "tokenizer/internal/approx_scan.h"
#include "tokenizer/internal/boundary_model.h"
#include "tokenizer/internal/nnls.h"
#include "tools/base/file_util.h"
#include "tools/base/time_util.h"

namespace tokcost {
namespace {

using Json = nlohmann::json;

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::ceil(q * v.size())) - 1;
  return v[std::min(i, v.size() - 1)];
}

ApproxEstimate Bounds(double estimate, double a, double b, double k) {
  ApproxEstimate e;
  e.variance = a * estimate + b * estimate * estimate;
  double half = k * std::sqrt(e.variance);
  e.tokens = std::llround(estimate);
  e.low = std::max<int64_t>(0, static_cast<int64_t>(std::floor(estimate - half)));
  e.high = static_cast<int64_t>(std::ceil(estimate + half));
  return e;
}

// Widens `e`'s bounds by the variance that sampling adds: the profile's
// half-width (k standard deviations) and the sampling's (1.96) combined in
// quadrature, the two errors being independent.
ApproxEstimate WithSampling(ApproxEstimate e, double estimate, double k, double sampling_variance) {
  if (sampling_variance <= 0) return e;
  e.sampling_variance = sampling_variance;
  const double half = std::sqrt(k * k * e.variance + 1.96 * 1.96 * sampling_variance);
  e.low = std::max<int64_t>(0, static_cast<int64_t>(std::floor(estimate - half)));
  e.high = static_cast<int64_t>(std::ceil(estimate + half));
  return e;
}

// Each character class's share of the text's characters (all 0 for none).
std::array<double, kMixClasses> MixShares(const ApproxFeatures& f) {
  double chars = 0;
  for (int c = 0; c < kMixClasses; ++c) chars += f[c];
  std::array<double, kMixClasses> share{};
  for (int c = 0; c < kMixClasses && chars > 0; ++c) share[c] = f[c] / chars;
  return share;
}

// The lexicon's estimate, and the letters of words it does not keep. Those
// words are estimated from contexts learned on the rarest words the
// lexicon text has (seen once), which split into fewer tokens than words
// never seen at all (names, handles, e-mail addresses): a coefficient per
// such letter lets the fit add what the contexts miss. On English text
// with Node.js's collaborator lists it took held-out p95 within 3% from 18
// to 24 of 36 runs (six tokenizers, seeds 1-6); elsewhere it changes the
// p95 little and lowers aggregate errors (README, Accuracy).
void SetLexiconFeatures(const tokenizer_internal::BoundaryModel& lexicon, std::string_view text,
                        ApproxFeatures* f,
                        tokenizer_internal::BoundaryModel::WordCoverage* coverage) {
  (*f)[kLexiconFeature] = lexicon.Estimate(text, coverage);
  (*f)[kUnknownLettersFeature] = static_cast<double>(coverage->letters - coverage->kept);
}

}  // namespace

const std::vector<std::string>& ApproxFeatureNames() {
  static const std::vector<std::string> names = {
      "ascii_letters", "digits", "spaces", "newlines", "ascii_other",
      "cyrillic_chars", "other_2byte_chars", "other_3byte_chars", "4byte_chars", "cjk_chars",
      "ascii_letter_runs", "digit_runs", "space_runs", "newline_runs", "ascii_other_runs",
      "cyrillic_runs", "other_2byte_runs", "other_3byte_runs", "4byte_runs", "cjk_runs",
      "ascii_words_len1", "ascii_words_len2", "ascii_words_len3", "ascii_words_len4", "ascii_words_len5", "ascii_words_len6", "ascii_words_len7", "ascii_words_len8", "ascii_words_len9", "ascii_words_len10", "ascii_words_len11", "ascii_words_len12_up", "cyrillic_words_len1", "cyrillic_words_len2", "cyrillic_words_len3", "cyrillic_words_len4", "cyrillic_words_len5", "cyrillic_words_len6", "cyrillic_words_len7", "cyrillic_words_len8", "cyrillic_words_len9", "cyrillic_words_len10", "cyrillic_words_len11", "cyrillic_words_len12_up",
      "uppercase_letters", "capitalized_words", "digit_groups_of_3", "constant",
      "lexicon_tokens", "lexicon_unknown_letters"};
  return names;
}

using tokenizer_internal::kLengthBuckets;

ApproxFeatures ComputeApproxFeatures(std::string_view text) {
  const tokenizer_internal::ApproxCounts c = tokenizer_internal::ScanApprox(text);
  ApproxFeatures f{};
  for (int i = 0; i < tokenizer_internal::kApproxClasses; ++i) {
    f[i] = static_cast<double>(c.chars[i]);
    f[10 + i] = static_cast<double>(c.runs[i]);
  }
  for (uint32_t i = 0; i < kLengthBuckets; ++i) {
    f[20 + i] = static_cast<double>(c.ascii_words[i]);
    f[20 + kLengthBuckets + i] = static_cast<double>(c.cyrillic_words[i]);
  }
  f[44] = static_cast<double>(c.upper);
  f[45] = static_cast<double>(c.capitalized);
  f[46] = static_cast<double>(c.digit_groups);
  f[47] = text.empty() ? 0 : 1;
  return f;
}

ApproxEstimate ApproxTotal::Result() const {
  return WithSampling(Bounds(sum_, a_, b_, k_), sum_, k_, sampling_variance_);
}

ApproxEstimate ApproxProfile::FromFeatures(const ApproxFeatures& f) const {
  double e = 0;
  for (int i = 0; i < kApproxFeatures; ++i) e += coefficients[i] * f[i];
  ApproxEstimate out = Bounds(e, var_a, var_b, k95);
  out.familiar = Familiar(f);
  return out;
}

ApproxEstimate ApproxProfile::WithBounds(double tokens, double sampling_variance) const {
  return WithSampling(Bounds(tokens, var_a, var_b, k95), tokens, k95, sampling_variance);
}

bool ApproxProfile::Familiar(const ApproxFeatures& f) const {
  if (!has_mix) return true;
  const std::array<double, kMixClasses> share = MixShares(f);
  for (int c = 0; c < kMixClasses; ++c) {
    if (share[c] < mix_low[c] - kMixTolerance || share[c] > mix_high[c] + kMixTolerance) {
      return false;
    }
  }
  return true;
}

bool ApproxProfile::FamiliarWords(int64_t letters, int64_t kept_in_text) const {
  if (!has_word_coverage || letters < kMinCoverageLetters) return true;
  return static_cast<double>(kept_in_text) / static_cast<double>(letters) >=
         word_coverage_low - kCoverageTolerance;
}

ApproxEstimate ApproxProfile::Estimate(std::string_view text) const {
  ApproxFeatures f = ComputeApproxFeatures(text);
  tokenizer_internal::BoundaryModel::WordCoverage coverage;
  if (lexicon) SetLexiconFeatures(*lexicon, text, &f, &coverage);
  ApproxEstimate e = FromFeatures(f);
  e.familiar = e.familiar && FamiliarWords(static_cast<int64_t>(coverage.letters),
                                           static_cast<int64_t>(coverage.in_text));
  return e;
}

LexiconBuilder::LexiconBuilder()
    : impl_(std::make_unique<tokenizer_internal::BoundaryModelBuilder>()) {}
LexiconBuilder::~LexiconBuilder() = default;

Status LexiconBuilder::Add(std::string_view text, const std::vector<uint32_t>& token_lengths,
                           bool lexicon_text) {
  return impl_->Add(text, token_lengths, lexicon_text);
}

Status LexiconBuilder::AddVocabulary(std::string_view text,
                                     const std::vector<uint32_t>& token_lengths) {
  return impl_->AddVocabulary(text, token_lengths);
}

bool LexiconBuilder::empty() const { return impl_->units() == 0; }

std::string LexiconBuilder::VocabularyWordsText(const std::vector<std::string>& token_texts,
                                                size_t* words) {
  return tokenizer_internal::BoundaryModelBuilder::VocabularyWordsText(token_texts, words);
}

std::shared_ptr<const tokenizer_internal::BoundaryModel> LexiconBuilder::Build() const {
  return std::make_shared<const tokenizer_internal::BoundaryModel>(impl_->Build());
}

StatusOr<ApproxProfile> FitApproxProfile(std::vector<CalibrationSample> samples,
                                         const FitOptions& options) {
  if (samples.size() < 10) {
    return InvalidArgumentError("calibration needs at least 10 documents, got " +
                                std::to_string(samples.size()));
  }
  // Negated so that NaN is refused too.
  if (!(options.holdout_fraction > 0 && options.holdout_fraction < 1)) {
    return InvalidArgumentError("the held-out fraction must lie between 0 and 1, got " +
                                std::to_string(options.holdout_fraction));
  }
  std::mt19937_64 rng(options.seed);
  std::shuffle(samples.begin(), samples.end(), rng);
  size_t holdout = std::max<size_t>(5, static_cast<size_t>(samples.size() * options.holdout_fraction));
  if (holdout + 5 > samples.size()) {
    return InvalidArgumentError("holding out " + std::to_string(holdout) + " of " +
                                std::to_string(samples.size()) +
                                " documents leaves fewer than 5 to fit; draw more or hold out less");
  }
  size_t train = samples.size() - holdout;

  std::shared_ptr<const tokenizer_internal::BoundaryModel> lexicon;
  if (options.learn_lexicon) {
    LexiconBuilder own;
    LexiconBuilder* builder = options.lexicon ? options.lexicon : &own;
    for (size_t i = 0; i < train; ++i) {
      if (samples[i].token_lengths.empty()) continue;
      TOKCOST_RETURN_IF_ERROR(
          builder->Add(samples[i].text, samples[i].token_lengths, /*lexicon_text=*/false));
    }
    if (!builder->empty()) lexicon = builder->Build();
  }
  // The held-out documents' word coverage: the fitted ones taught the
  // lexicon their words, so theirs says nothing about new text.
  double coverage_low = 1;
  bool has_coverage = false;
  for (size_t i = 0; i < samples.size(); ++i) {
    CalibrationSample& s = samples[i];
    tokenizer_internal::BoundaryModel::WordCoverage coverage;
    if (lexicon) {
      SetLexiconFeatures(*lexicon, s.text, &s.features, &coverage);
    } else {
      s.features[kLexiconFeature] = s.features[kUnknownLettersFeature] = 0;
    }
    if (i >= train && static_cast<int64_t>(coverage.letters) >= ApproxProfile::kMinCoverageLetters) {
      has_coverage = true;
      coverage_low = std::min(coverage_low, static_cast<double>(coverage.in_text) /
                                                static_cast<double>(coverage.letters));
    }
  }

  // Rows weighted by 1/sqrt(tokens): relative error matters, so long
  // documents must not dominate the fit.
  std::vector<std::vector<double>> rows;
  std::vector<double> target;
  for (size_t i = 0; i < train; ++i) {
    double w = 1.0 / std::sqrt(std::max(1.0, samples[i].tokens));
    std::vector<double> row(samples[i].features.begin(), samples[i].features.end());
    for (double& v : row) v *= w;
    rows.push_back(row);
    target.push_back(samples[i].tokens * w);
  }
  std::vector<double> coef = tokenizer_internal::Nnls(rows, target);
  ApproxProfile p;
  std::copy(coef.begin(), coef.end(), p.coefficients.begin());
  p.lexicon = lexicon;
  p.has_word_coverage = has_coverage;
  p.word_coverage_low = has_coverage ? coverage_low : 0;
  p.sample_size = static_cast<int64_t>(samples.size());
  p.created = TodayUtc();

  // Error model on the held-out documents: r^2 ~ a*E + b*E^2.
  std::vector<double> est, truth;
  std::vector<std::vector<double>> vrows;
  std::vector<double> vtarget;
  for (size_t i = train; i < samples.size(); ++i) {
    double e = 0;
    for (int k = 0; k < kApproxFeatures; ++k) e += coef[k] * samples[i].features[k];
    e = std::max(1.0, e);
    double r = samples[i].tokens - e;
    est.push_back(e);
    truth.push_back(samples[i].tokens);
    vrows.push_back({1.0, e});  // r^2 / E ~ a + b*E
    vtarget.push_back(r * r / e);
  }
  std::vector<double> ab = tokenizer_internal::Nnls(vrows, vtarget);
  p.var_a = std::max(ab[0], 0.05);  // never claim less noise than a token's rounding
  p.var_b = ab[1];
  std::vector<double> z, rel;
  double sum_e = 0, sum_t = 0;
  for (size_t i = 0; i < est.size(); ++i) {
    double sd = std::sqrt(p.var_a * est[i] + p.var_b * est[i] * est[i]);
    z.push_back(std::abs(truth[i] - est[i]) / sd);
    rel.push_back(std::abs(truth[i] - est[i]) / std::max(1.0, truth[i]));
    sum_e += est[i];
    sum_t += truth[i];
  }
  p.k95 = std::max(1.0, Quantile(z, 0.95));
  p.heldout_p50 = Quantile(rel, 0.5);
  p.heldout_p95 = Quantile(rel, 0.95);
  p.heldout_aggregate_error = std::abs(sum_e - sum_t) / std::max(1.0, sum_t);
  p.heldout_documents = static_cast<int64_t>(est.size());
  int64_t covered = 0;
  for (size_t i = train; i < samples.size(); ++i) {
    ApproxEstimate e = p.FromFeatures(samples[i].features);
    covered += samples[i].tokens >= e.low && samples[i].tokens <= e.high;
  }
  p.heldout_coverage = static_cast<double>(covered) / est.size();
  // Every document's mix, fitted and held out: what the bounds were measured on.
  p.has_mix = true;
  p.mix_low.fill(1);
  p.mix_high.fill(0);
  for (const CalibrationSample& s : samples) {
    const std::array<double, kMixClasses> share = MixShares(s.features);
    for (int c = 0; c < kMixClasses; ++c) {
      p.mix_low[c] = std::min(p.mix_low[c], share[c]);
      p.mix_high[c] = std::max(p.mix_high[c], share[c]);
    }
  }
  return p;
}

std::string ApproxProfile::ToJson() const {
  Json coef = Json::object();
  for (int i = 0; i < kApproxFeatures; ++i) coef[ApproxFeatureNames()[i]] = coefficients[i];
  Json j = {{"schema_version", 1},
            {"name", name},
            {"model_version", model_version},
            {"created", created},
            {"fitted_on", fitted_on},
            {"provisional", provisional},
            {"sample_size", sample_size},
            {"coefficients", coef},
            {"lexicon", lexicon ? Json{{"contexts", lexicon->entries() - lexicon->words()},
                                       {"words", lexicon->words()},
                                       {"note", "beside this file: NAME.lexicon"}}
                                : Json(nullptr)},
            {"error_model", {{"a", var_a}, {"b", var_b}, {"k95", k95},
                             {"note", "variance = a*E + b*E^2; bounds E -/+ k95*sqrt(variance)"}}},
            {"text_mix", has_mix ? Json{{"classes", std::vector<std::string>(
                                                          ApproxFeatureNames().begin(),
                                                          ApproxFeatureNames().begin() + kMixClasses)},
                                        {"low", mix_low},
                                        {"high", mix_high},
                                        {"note", "each class's share of characters over the "
                                                 "calibration documents; text outside "
                                                 "(+/-0.05) is reported as unfamiliar"}}
                                 : Json(nullptr)},
            {"word_coverage",
             has_word_coverage
                 ? Json{{"low", word_coverage_low},
                        {"min_letters", kMinCoverageLetters},
                        {"note", "the lowest share of letters in words the lexicon keeps "
                                 "from text (not from a vocabulary alone) among held-out "
                                 "documents; a text of at least min_letters letters below it "
                                 "(-0.05) is reported as unfamiliar"}}
                 : Json(nullptr)},
            {"heldout", {{"documents", heldout_documents},
                         {"relative_error_p50", heldout_p50},
                         {"relative_error_p95", heldout_p95},
                         {"coverage_of_95pct_bounds", heldout_coverage},
                         {"aggregate_relative_error", heldout_aggregate_error}}}};
  return j.dump(1) + "\n";
}

StatusOr<ApproxProfile> ApproxProfile::Load(const std::string& path) {
  TOKCOST_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError(path + ": not valid JSON");
  if (!j.contains("schema_version") || j["schema_version"] != 1) {
    return InvalidArgumentError(path + ": $.schema_version: expected 1 (re-run tokcost calibrate)");
  }
  ApproxProfile p;
  try {
    p.name = j.at("name").get<std::string>();
    p.model_version = j.value("model_version", "");
    p.created = j.value("created", "");
    p.fitted_on = j.value("fitted_on", "");
    p.provisional = j.value("provisional", false);
    p.sample_size = j.value("sample_size", int64_t{0});
    const Json& coef = j.at("coefficients");
    for (int i = 0; i < kApproxFeatures; ++i) {
      const std::string& name = ApproxFeatureNames()[i];
      // Profiles from before lexicons have no lexicon coefficient, and
      // those from before 2026-12-06 none for unknown letters: 0.
      if ((i == kLexiconFeature || i == kUnknownLettersFeature) && !coef.contains(name)) continue;
      if (!coef.contains(name) || !coef[name].is_number() || coef[name].get<double>() < 0) {
        return InvalidArgumentError(path + ": $.coefficients." + name + ": expected a number >= 0");
      }
      p.coefficients[i] = coef[name].get<double>();
    }
    const Json& em = j.at("error_model");
    p.var_a = em.at("a").get<double>();
    p.var_b = em.at("b").get<double>();
    p.k95 = em.at("k95").get<double>();
    if (p.var_a < 0 || p.var_b < 0 || p.k95 <= 0) {
      return InvalidArgumentError(path + ": $.error_model: a, b must be >= 0 and k95 > 0");
    }
    if (j.contains("text_mix") && !j["text_mix"].is_null()) {
      const Json& m = j["text_mix"];
      const Json& low = m.at("low");
      const Json& high = m.at("high");
      if (!low.is_array() || !high.is_array() || low.size() != kMixClasses ||
          high.size() != kMixClasses) {
        return InvalidArgumentError(path + ": $.text_mix: expected low and high arrays of " +
                                    std::to_string(kMixClasses) + " shares");
      }
      for (int c = 0; c < kMixClasses; ++c) {
        p.mix_low[c] = low[c].get<double>();
        p.mix_high[c] = high[c].get<double>();
      }
      p.has_mix = true;
    }
    if (j.contains("word_coverage") && !j["word_coverage"].is_null()) {
      const Json& low = j["word_coverage"].at("low");
      if (!low.is_number() || low.get<double>() < 0 || low.get<double>() > 1) {
        return InvalidArgumentError(path + ": $.word_coverage.low: expected a share in [0, 1]");
      }
      if (!j.contains("lexicon") || j["lexicon"].is_null()) {
        return InvalidArgumentError(path + ": $.word_coverage: given without a lexicon");
      }
      p.has_word_coverage = true;
      p.word_coverage_low = low.get<double>();
    }
    if (j.contains("heldout")) {
      const Json& h = j["heldout"];
      p.heldout_documents = h.value("documents", int64_t{0});
      p.heldout_p50 = h.value("relative_error_p50", 0.0);
      p.heldout_p95 = h.value("relative_error_p95", 0.0);
      p.heldout_coverage = h.value("coverage_of_95pct_bounds", 0.0);
      p.heldout_aggregate_error = h.value("aggregate_relative_error", 0.0);
    }
    if (j.contains("lexicon") && !j["lexicon"].is_null()) {
      std::string lexicon_path = LexiconPath(path);
      StatusOr<MappedFile> file = MapFile(lexicon_path);
      if (!file.ok()) {
        return InvalidArgumentError(path + ": $.lexicon: " + file.status().message());
      }
      StatusOr<tokenizer_internal::BoundaryModel> model =
          tokenizer_internal::BoundaryModel::Parse(file->bytes, std::move(file->owner));
      if (!model.ok()) return InvalidArgumentError(lexicon_path + ": " + model.status().message());
      p.lexicon = std::make_shared<const tokenizer_internal::BoundaryModel>(*std::move(model));
    } else {
      for (int i : {kLexiconFeature, kUnknownLettersFeature}) {
        if (p.coefficients[i] > 0) {
          return InvalidArgumentError(path + ": $.coefficients." + ApproxFeatureNames()[i] +
                                      ": > 0 without a lexicon");
        }
      }
    }
  } catch (const Json::exception& e) {
    return InvalidArgumentError(path + ": " + e.what());
  }
  return p;
}

std::string ApproxProfile::LexiconPath(const std::string& profile_path) {
  return std::filesystem::path(profile_path).replace_extension(".lexicon").string();
}

Status ApproxProfile::Save(const std::string& path) const {
  if (lexicon) {
    TOKCOST_RETURN_IF_ERROR(WriteFile(LexiconPath(path), {lexicon->Serialize()}));
  } else {
    std::remove(LexiconPath(path).c_str());  // one from an earlier calibration
  }
  return WriteFile(path, {ToJson()});
}

}  // namespace tokcost
