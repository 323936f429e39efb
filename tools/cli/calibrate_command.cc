// tokcost calibrate (--tokenizer NAME | --model ID) [--sample N] FILE...
// Fits an approximation profile against exact (or endpoint) counts and
// reports its held-out error.
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

#include "tools/base/file_util.h"
#include "tools/cli/approx_profiles.h"
#include "tools/cli/commands.h"
#include "tools/cli/counting.h"
#include "tools/cli/exit_codes.h"

namespace tokcost::cli {
namespace {

struct CalibrateFlags {
  std::string tokenizer;
  std::string tokenizer_file;
  std::string model;
  int64_t sample = 200;
  uint64_t seed = 1;
  double holdout = 0.3;
  std::string output;
  std::string fitted_on;
  bool json = false;
  bool no_lexicon = false;
  std::vector<std::string> lexicon_files;
  std::vector<std::string> inputs;
};

// The token lengths of texts (empty for a text its tokens do not spell);
// an error only when counting itself failed.
using LengthsFn = std::function<StatusOr<std::vector<std::vector<uint32_t>>>(
    const std::vector<std::string_view>& texts, const std::vector<std::string>& labels)>;

// Feeds a text, in parts of up to 16 KB cut after a newline (small enough
// for one endpoint request), to the lexicon. Parts whose tokens do not
// spell them (invalid UTF-8, text NFC changes, token texts an endpoint does
// not give) are left out; a text none of whose parts could be used is an
// error. `label` names the text in errors; `vocabulary`: the text is
// LexiconBuilder::VocabularyWordsText.
Status AddLexiconText(std::string_view text, const std::string& label, const LengthsFn& lengths_of,
                      LexiconBuilder* lexicon, bool vocabulary = false) {
  std::vector<std::string_view> parts;
  std::vector<std::string> labels;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', std::min(text.size(), start + (16 << 10)));
    end = end == std::string::npos ? text.size() : end + 1;
    parts.push_back(text.substr(start, end - start));
    labels.push_back(label + " at byte " + std::to_string(start));
    start = end;
  }
  TOKCOST_ASSIGN_OR_RETURN(std::vector<std::vector<uint32_t>> lengths, lengths_of(parts, labels));
  bool used = false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (lengths[i].empty()) continue;
    TOKCOST_RETURN_IF_ERROR(vocabulary ? lexicon->AddVocabulary(parts[i], lengths[i])
                                       : lexicon->Add(parts[i], lengths[i]));
    used = true;
  }
  if (!used) return InvalidArgumentError(label + ": no usable text (its tokens do not spell it)");
  return OkStatus();
}

Status AddLexiconFiles(const std::vector<std::string>& files, const LengthsFn& lengths_of,
                       LexiconBuilder* lexicon) {
  for (const std::string& file : files) {
    TOKCOST_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
    TOKCOST_RETURN_IF_ERROR(AddLexiconText(text, "--lexicon " + file, lengths_of, lexicon));
  }
  return OkStatus();
}

// Token lengths from a local tokenizer (empty where its tokens do not
// spell the text).
LengthsFn LocalLengths(const Tokenizer& tok) {
  return [&tok](const std::vector<std::string_view>& parts, const std::vector<std::string>&)
             -> StatusOr<std::vector<std::vector<uint32_t>>> {
    std::vector<std::vector<uint32_t>> out;
    for (std::string_view part : parts) {
      StatusOr<std::vector<uint32_t>> lengths = tok.TokenLengths(part);
      out.push_back(lengths.ok() ? *std::move(lengths) : std::vector<uint32_t>());
    }
    return out;
  };
}

// Teaches the lexicon a local tokenizer's whole-word tokens
// (LexiconBuilder::VocabularyWordsText); returns how many there were. On
// English held-out text (tools/approx_accuracy, seeds 1-6) this took
// per-document p95 within 3% from 32 to 36 of 36 runs: the lexicon text
// holds few of the common words prose is made of.
StatusOr<size_t> AddVocabularyWords(const Tokenizer& tok, LexiconBuilder* lexicon) {
  size_t words = 0;
  const std::string text = LexiconBuilder::VocabularyWordsText(tok.TokenTexts(), &words);
  if (words == 0) return size_t{0};
  TOKCOST_RETURN_IF_ERROR(
      AddLexiconText(text, "the vocabulary's word tokens", LocalLengths(tok), lexicon, true));
  return words;
}

// A document's text: a request's messages joined, or a slice of a text file.
StatusOr<std::vector<std::string>> Documents(const Context& ctx, const CalibrateFlags& f) {
  std::vector<std::string> docs;
  for (const std::string& input : f.inputs) {
    TOKCOST_ASSIGN_OR_RETURN(std::unique_ptr<WorkloadReader> reader,
                             WorkloadReader::Open(input, WorkloadFormat::kAuto, &ctx.io.in));
    Request r;
    Status error;
    while (reader->Next(&r, &error)) {
      if (!error.ok()) return error;
      if (reader->format() == WorkloadFormat::kText) {
        for (std::string_view d : SplitDocuments(r.messages[0].content, f.seed)) docs.emplace_back(d);
        continue;
      }
      std::string text;
      for (const ChatMessage& m : r.messages) text += (text.empty() ? "" : "\n") + m.content;
      docs.push_back(std::move(text));
    }
  }
  return docs;
}

int RunCalibrate(const CalibrateFlags& f, const Context& ctx) {
  auto fail = [&](const Status& st) {
    ctx.Error("calibrate: " + st.message());
    return ExitCodeFor(st);
  };
  if (f.tokenizer.empty() + f.model.empty() + f.tokenizer_file.empty() != 2) {
    return fail(InvalidArgumentError("give exactly one of --tokenizer, --tokenizer-file or --model"));
  }
  if (f.inputs.empty()) return fail(InvalidArgumentError("give calibration text files or workloads"));
  if (f.no_lexicon && !f.lexicon_files.empty()) {
    return fail(InvalidArgumentError("--lexicon and --no-lexicon exclude each other"));
  }
  StatusOr<std::vector<std::string>> docs = Documents(ctx, f);
  if (!docs.ok()) return fail(docs.status());
  // A uniform sample of documents.
  std::mt19937_64 rng(f.seed);
  std::shuffle(docs->begin(), docs->end(), rng);
  if (static_cast<int64_t>(docs->size()) > f.sample) docs->resize(f.sample);

  std::string name = f.tokenizer;
  if (!f.tokenizer_file.empty()) {
    size_t slash = f.tokenizer_file.rfind('/');
    name = f.tokenizer_file.substr(slash == std::string::npos ? 0 : slash + 1);
    name = name.substr(0, name.rfind('.'));
  }
  std::vector<int64_t> counts;
  std::vector<std::vector<uint32_t>> token_lengths(docs->size());
  std::string method = "exact";
  LexiconBuilder lexicon;
  bool learn_lexicon = false;
  size_t vocabulary_words = 0;  // whole-word tokens the lexicon learned
  if (f.model.empty()) {
    StatusOr<std::unique_ptr<Tokenizer>> tok = f.tokenizer_file.empty()
                                                   ? ctx.LoadTokenizerByName(f.tokenizer)
                                                   : ctx.LoadTokenizerFile(f.tokenizer_file);
    if (!tok.ok()) return fail(tok.status());
    // A lexicon needs tokens that spell the text (not those of SentencePiece
    // models given as files); without one the fit uses the other features.
    learn_lexicon = !f.no_lexicon && (*tok)->HasTokenLengths();
    if (!learn_lexicon && !f.lexicon_files.empty()) {
      return fail(InvalidArgumentError(
          name + ": its tokens do not spell the text, so it cannot have a lexicon"));
    }
    if (learn_lexicon) {
      Status st = AddLexiconFiles(f.lexicon_files, LocalLengths(**tok), &lexicon);
      if (!st.ok()) return fail(st);
      StatusOr<size_t> words = AddVocabularyWords(**tok, &lexicon);
      if (!words.ok()) return fail(words.status());
      vocabulary_words = *words;
    }
    for (size_t i = 0; i < docs->size(); ++i) {
      // One tokenization per document: its token lengths give the count.
      // Texts a normalizer changes (rare: NFC for Qwen) are counted but
      // left out of the lexicon.
      if (learn_lexicon) {
        StatusOr<std::vector<uint32_t>> lengths = (*tok)->TokenLengths((*docs)[i]);
        if (lengths.ok()) {
          counts.push_back(static_cast<int64_t>(lengths->size()));
          token_lengths[i] = *std::move(lengths);
          continue;
        }
      }
      StatusOr<size_t> n = (*tok)->Count((*docs)[i]);
      if (!n.ok()) return fail(n.status());
      counts.push_back(static_cast<int64_t>(*n));
    }
  } else {
    StatusOr<const Catalog*> catalog = ctx.Models();
    if (!catalog.ok()) return fail(catalog.status());
    StatusOr<ResolvedModel> m = (*catalog)->Resolve(f.model);
    if (!m.ok()) return fail(m.status());
    name = m->model->CountsThroughEndpoint() ? m->model->id : m->model->tokenizer;
    CounterFactory factory(ctx);
    StatusOr<InputCounter*> counter = factory.ForModel(*m->model);
    if (!counter.ok()) return fail(counter.status());
    learn_lexicon = !f.no_lexicon;
    // Endpoint models: the tokens' texts say where they start, and the cache
    // keeps that (--lexicon files are sent too, once).
    std::vector<std::string_view> views(docs->begin(), docs->end());
    std::vector<std::string> labels(docs->size(), "calibration document");
    std::vector<Counted> counted = learn_lexicon ? (*counter)->CountTextsWithLengths(views, labels)
                                                 : (*counter)->CountTexts(views, labels);
    size_t spelled = 0;
    for (size_t i = 0; i < counted.size(); ++i) {
      Counted& c = counted[i];
      if (!c.tokens.ok()) return fail(c.tokens.status());
      counts.push_back(*c.tokens);
      method = c.method == "exact" ? "exact" : "endpoint";
      spelled += !c.token_lengths.empty();
      token_lengths[i] = std::move(c.token_lengths);
    }
    if (learn_lexicon) {
      Status st = AddLexiconFiles(
          f.lexicon_files,
          [&](const std::vector<std::string_view>& parts, const std::vector<std::string>& names)
              -> StatusOr<std::vector<std::vector<uint32_t>>> {
            std::vector<std::vector<uint32_t>> out;
            for (Counted& c : (*counter)->CountTextsWithLengths(parts, names)) {
              if (!c.tokens.ok()) return c.tokens.status();
              out.push_back(std::move(c.token_lengths));
            }
            return out;
          },
          &lexicon);
      if (!st.ok()) return fail(st);
    }
    if (learn_lexicon && !m->model->CountsThroughEndpoint()) {
      // The counter's own tokenizer: its token texts are built once.
      StatusOr<const Tokenizer*> tok = factory.TokenizerNamed(m->model->tokenizer);
      if (!tok.ok()) return fail(tok.status());
      StatusOr<size_t> words = AddVocabularyWords(**tok, &lexicon);
      if (!words.ok()) return fail(words.status());
      vocabulary_words = *words;
    }
    if (learn_lexicon && spelled < docs->size()) {
      ctx.Error("calibrate: note: the lexicon leaves out " + std::to_string(docs->size() - spelled) +
                " of " + std::to_string(docs->size()) +
                " documents: their token texts do not spell them (or, with --offline, only their "
                "counts are cached)");
    }
    if (learn_lexicon && spelled == 0 && f.lexicon_files.empty()) learn_lexicon = false;
  }
  std::vector<CalibrationSample> samples;
  for (size_t i = 0; i < docs->size(); ++i) {
    samples.push_back({ComputeApproxFeatures((*docs)[i]), static_cast<double>(counts[i]),
                       (*docs)[i], std::move(token_lengths[i])});
  }
  FitOptions fit{.holdout_fraction = f.holdout, .seed = f.seed, .learn_lexicon = learn_lexicon,
                 .lexicon = &lexicon};
  StatusOr<ApproxProfile> profile = FitApproxProfile(std::move(samples), fit);
  if (!profile.ok()) return fail(profile.status());
  profile->name = name;
  profile->fitted_on = f.fitted_on.empty() ? "calibrated with " + method + " counts on " +
                                                 std::to_string(docs->size()) + " documents"
                                           : f.fitted_on;
  std::string out = f.output.empty() ? UserProfilePath(ctx, name) : f.output;
  if (size_t slash = out.rfind('/'); slash != std::string::npos && slash > 0) {
    std::error_code ignored;  // Save reports a directory it cannot write
    std::filesystem::create_directories(out.substr(0, slash), ignored);
  }
  if (Status st = profile->Save(out); !st.ok()) return fail(st);
  if (f.json) {
    ctx.io.out << nlohmann::json{{"profile", out},
                                 {"name", name},
                                 {"documents", docs->size()},
                                 {"heldout_documents", profile->heldout_documents},
                                 {"relative_error_p50", profile->heldout_p50},
                                 {"relative_error_p95", profile->heldout_p95},
                                 {"coverage_of_95pct_bounds", profile->heldout_coverage},
                                 {"aggregate_relative_error", profile->heldout_aggregate_error},
                                 {"vocabulary_words", vocabulary_words}}
                      .dump()
               << "\n";
  } else {
    char line[256];
    std::snprintf(line, sizeof(line),
                  "held-out error on %lld documents: p50 %.2f%%, p95 %.2f%%; 95%% bounds covered "
                  "%.1f%%; aggregate %.3f%%\n",
                  static_cast<long long>(profile->heldout_documents), 100 * profile->heldout_p50,
                  100 * profile->heldout_p95, 100 * profile->heldout_coverage,
                  100 * profile->heldout_aggregate_error);
    ctx.io.out << "wrote " << out << " (" << name << ", " << docs->size() << " documents, " << method
               << " counts";
    if (vocabulary_words > 0) {
      ctx.io.out << "; the lexicon knows the vocabulary's " << vocabulary_words << " word tokens";
    }
    ctx.io.out << ")\n" << line;
  }
  return kExitOk;
}

}  // namespace

Runner RegisterCalibrate(CLI::App* app) {
  auto f = std::make_shared<CalibrateFlags>();
  CLI::App* cmd = app->add_subcommand(
      "calibrate", "Fit the fast approximation to exact or endpoint counts on your text");
  cmd->footer(
      "Draws --sample documents (requests of a JSONL workload, or 1-5 KB slices of text files),\n"
      "counts them exactly (local tokenizer, or the endpoint through the cache), fits the\n"
      "coefficients on 70% and measures the error on the held-out 30%. The profile goes to\n"
      "<cache dir>/profiles/NAME.json, where --count approx and hybrid find it.\n"
      "It also learns a lexicon (where the tokenizer starts tokens: from a local tokenizer, or\n"
      "from the token texts the endpoint returns) from the fitted documents, any --lexicon\n"
      "files (more text: lower per-document error; never the documents that measure the error)\n"
      "and, for a local tokenizer, its vocabulary's whole-word tokens.\n\n"
      "Example:\n"
      "  tools/tokcost calibrate --model yandexgpt-lite --sample 200 data/examples/support_chats.jsonl");
  cmd->add_option("--tokenizer", f->tokenizer, "Exact tokenizer to calibrate against");
  cmd->add_option("--tokenizer-file", f->tokenizer_file,
                  "Your own tokenizer (SentencePiece .model or tokenizer.json)");
  cmd->add_option("--model", f->model, "Model to calibrate (endpoint models: through the cache)");
  cmd->add_option("--sample", f->sample, "Documents to draw (default 200)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", f->seed, "Sampling seed (default 1)");
  cmd->add_option("--holdout", f->holdout, "Fraction held out to measure the error (default 0.3)");
  cmd->add_option("-o,--output", f->output, "Profile path (default <cache dir>/profiles/NAME.json)");
  cmd->add_option("--fitted-on", f->fitted_on, "Describe the text, for the profile");
  cmd->add_option("--lexicon", f->lexicon_files,
                  "More text to learn the lexicon from (repeatable; endpoint models: sent once, "
                  "through the cache)")
      ->allow_extra_args(false);
  cmd->add_flag("--no-lexicon", f->no_lexicon, "Fit without a lexicon (fastest estimates)");
  cmd->add_flag("--json", f->json, "JSON output");
  cmd->add_option("inputs", f->inputs, "Text files or JSONL workloads");
  return [f](const Context& ctx) { return RunCalibrate(*f, ctx); };
}

}  // namespace tokcost::cli
