// tokcost count (--tokenizer NAME | --model ID | --tokenizer-file PATH)
//               [--count auto|exact|endpoint|approx|hybrid] [--json] [FILE...|-]
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <streambuf>
#include <thread>

#include "tools/cli/approx_counter.h"
#include "tools/cli/approx_input.h"
#include "tools/cli/approx_profiles.h"
#include "tools/cli/commands.h"
#include "tools/cli/counting.h"
#include "tools/cli/exit_codes.h"

namespace tokcost::cli {
namespace {

// Passes bytes through and counts them (the "bytes" field of streamed input).
// Seeks go to the source: a UTF-8 error reads a file again from its start
// to number the line (Tokenizer::CountStream); the count is not used then.
class CountingStreamBuf : public std::streambuf {
 public:
  CountingStreamBuf(std::streambuf* source, uint64_t* bytes) : source_(source), bytes_(bytes) {}

 protected:
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override {
    return source_->pubseekoff(off, dir, which);
  }
  pos_type seekpos(pos_type pos, std::ios_base::openmode which) override {
    return source_->pubseekpos(pos, which);
  }
  std::streamsize xsgetn(char* s, std::streamsize n) override {
    std::streamsize got = source_->sgetn(s, n);
    *bytes_ += static_cast<uint64_t>(got);
    return got;
  }
  int_type underflow() override { return source_->sgetc(); }
  int_type uflow() override {
    int_type c = source_->sbumpc();
    if (c != traits_type::eof()) ++*bytes_;
    return c;
  }

 private:
  std::streambuf* source_;
  uint64_t* bytes_;
};

struct CountFlags {
  std::string tokenizer;
  std::string tokenizer_file;
  std::string model;
  bool json = false;
  bool ids = false;
  bool allow_special = false;
  std::string count = "auto";
  int64_t sample = 200;  // hybrid: inputs counted exactly
  int jobs = 0;
  std::string invalid_utf8 = "error";
  std::vector<std::string> inputs;
};

struct ExactCount {
  size_t tokens = 0;
  uint64_t bytes = 0;
  std::vector<uint32_t> ids;  // --ids only
};

// Streams a file or stdin in blocks: memory stays bounded whatever its size.
StatusOr<ExactCount> StreamCount(const Context& ctx, const Tokenizer& tokenizer,
                                 const std::string& name, int jobs, const TokenizeOptions& options) {
  std::ifstream file;
  if (name != "-") file.open(name, std::ios::binary);
  std::istream& in = name == "-" ? ctx.io.in : file;
  if (!in) return NotFoundError(name + ": cannot open: " + std::strerror(errno));
  ExactCount r;
  CountingStreamBuf counter(in.rdbuf(), &r.bytes);
  std::istream counted(&counter);
  TOKCOST_ASSIGN_OR_RETURN(r.tokens, tokenizer.CountStream(counted, jobs, 8 << 20, options));
  return r;
}

// Reads the whole input to print its ids.
StatusOr<ExactCount> EncodeInput(const Context& ctx, const Tokenizer& tokenizer,
                                 const std::string& name, const TokenizeOptions& options) {
  TOKCOST_ASSIGN_OR_RETURN(Input input, ReadInput(ctx, name));
  ExactCount r;
  TOKCOST_ASSIGN_OR_RETURN(r.ids, tokenizer.Encode(input.text, options));
  r.tokens = r.ids.size();
  r.bytes = input.text.size();
  return r;
}

// Reports a failure that ends the command; returns its exit code.
int Fail(const Context& ctx, const Status& status) {
  ctx.Error("count: " + status.message());
  return ExitCodeFor(status);
}

// Reports a failure of one input, named first unless its message names it;
// returns its exit code (the other inputs go on).
int ReportInput(const Context& ctx, const std::string& name, const Status& status) {
  const std::string& msg = status.message();
  ctx.Error("count: " + (msg.rfind(name + ":", 0) == 0 ? msg : name + ": " + msg));
  return ExitCodeFor(status);
}

// -j: all cores unless given.
int JobsOf(const CountFlags& flags) {
  if (flags.jobs > 0) return flags.jobs;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// --allow-special and --invalid-utf8, as counting takes them.
TokenizeOptions OptionsOf(const CountFlags& flags) {
  TokenizeOptions options;
  options.allow_special = flags.allow_special;
  options.invalid_utf8 =
      flags.invalid_utf8 == "replace" ? InvalidUtf8::kReplace : InvalidUtf8::kError;
  return options;
}

// The inputs named on the command line, directories and patterns expanded;
// stdin when none.
StatusOr<std::vector<std::string>> InputNames(const CountFlags& flags) {
  TOKCOST_ASSIGN_OR_RETURN(std::vector<std::string> names, ExpandInputs(flags.inputs));
  if (names.empty()) names.push_back("-");
  return names;
}

// Counts through the tokenize endpoint (with the cache) for a model that
// has no public tokenizer.
int RunCountEndpoint(const CountFlags& flags, const ModelInfo& model, const Context& ctx) {
  if (flags.ids) {
    ctx.Error("count: --ids needs a local tokenizer; " + model.id + " is counted by the endpoint");
    return kExitUsage;
  }
  CounterFactory factory(ctx);
  StatusOr<InputCounter*> counter = factory.ForModel(model);
  if (!counter.ok()) return Fail(ctx, counter.status());
  StatusOr<std::vector<std::string>> inputs = InputNames(flags);
  if (!inputs.ok()) return Fail(ctx, inputs.status());
  int exit_code = kExitOk;
  std::vector<Input> texts;
  for (const std::string& name : *inputs) {
    StatusOr<Input> input = ReadInput(ctx, name);
    if (!input.ok()) {
      exit_code = std::max(exit_code, ReportInput(ctx, name, input.status()));
      continue;
    }
    texts.push_back(std::move(*input));
  }
  std::vector<std::string_view> views;
  std::vector<std::string> labels;
  for (const Input& t : texts) {
    views.push_back(t.text);
    labels.push_back(t.name);
  }
  std::vector<Counted> counted = (*counter)->CountTexts(views, labels);
  int64_t total = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!counted[i].tokens.ok()) {
      exit_code = std::max(exit_code, ReportInput(ctx, texts[i].name, counted[i].tokens.status()));
      continue;
    }
    total += *counted[i].tokens;
    if (flags.json) {
      ctx.io.out << nlohmann::json{{"input", texts[i].name},   {"model", model.id},
                                   {"tokenizer", "endpoint"},  {"tokens", *counted[i].tokens},
                                   {"bytes", texts[i].text.size()}, {"method", counted[i].method}}
                        .dump()
                 << "\n";
    } else {
      ctx.io.out << *counted[i].tokens << "\t" << texts[i].name << "\n";
    }
  }
  if (!flags.json && texts.size() > 1) ctx.io.out << total << "\ttotal\n";
  return exit_code;
}

// The fast approximation with its bounds, from the tokenizer's or model's
// profile. `byte_bounded`: the profile is of a public byte-level tokenizer,
// so a text has at most TokenCeiling tokens; an unfamiliar
// text's high bound is raised to that, as its profile bounds may not hold.
int RunCountApprox(const CountFlags& flags, const std::string& name, bool byte_bounded,
                   const Context& ctx) {
  StatusOr<LoadedProfile> profile = LoadApproxProfile(ctx, name);
  if (!profile.ok()) return Fail(ctx, profile.status());
  ShippedFallback fallback(ctx, name, *profile);
  StatusOr<std::vector<std::string>> inputs = InputNames(flags);
  if (!inputs.ok()) return Fail(ctx, inputs.status());
  int exit_code = kExitOk;
  ApproxTotal total = profile->profile.NewTotal();
  size_t counted = 0;
  std::vector<std::string> unfamiliar;
  // How far the total's bounds move out: by the shipped profile's bounds
  // and by ceilings, for unfamiliar inputs.
  double low_margin = 0, high_margin = 0;
  for (const std::string& input_name : *inputs) {
    // A pipe cannot be read again: the shipped profile reads it too, in
    // case its text turns out unfamiliar.
    std::vector<const ApproxProfile*> profiles = {&profile->profile};
    if (fallback.exists() && input_name == "-") {
      StatusOr<const ApproxProfile*> shipped = fallback.Get();
      if (!shipped.ok()) return Fail(ctx, shipped.status());
      profiles.push_back(*shipped);
    }
    StatusOr<std::vector<ApproxCount>> counted_input = StreamApprox(ctx, profiles, input_name);
    if (counted_input.ok() && fallback.exists() && !(*counted_input)[0].estimate.familiar &&
        counted_input->size() == 1) {
      StatusOr<const ApproxProfile*> shipped = fallback.Get();
      if (!shipped.ok()) return Fail(ctx, shipped.status());
      StatusOr<std::vector<ApproxCount>> again = StreamApprox(ctx, {*shipped}, input_name);
      if (!again.ok()) {
        counted_input = again.status();
      } else {
        counted_input->push_back((*again)[0]);
      }
    }
    if (!counted_input.ok()) {
      exit_code = std::max(exit_code, ReportInput(ctx, input_name, counted_input.status()));
      continue;
    }
    const ApproxCount& c = (*counted_input)[0];
    ApproxEstimate e = c.estimate;
    total.Add(static_cast<double>(e.tokens), e.sampling_variance);
    ++counted;
    const int64_t ceiling = byte_bounded ? c.ceiling : -1;
    bool widened = false;
    if (!e.familiar) {
      unfamiliar.push_back(input_name);
      if (counted_input->size() > 1) {
        const ApproxEstimate shipped = WidenedBounds(e, (*counted_input)[1].estimate);
        low_margin += static_cast<double>(e.low - shipped.low);
        high_margin += static_cast<double>(shipped.high - e.high);
        widened = shipped.low != e.low || shipped.high != e.high;
        e = shipped;
      }
      if (ceiling > e.high) {
        high_margin += static_cast<double>(ceiling - e.high);
        e.high = ceiling;
      }
    }
    if (flags.json) {
      nlohmann::json row = {{"input", input_name}, {"tokens", e.tokens}, {"low", e.low},
                            {"high", e.high},      {"confidence", 0.95},
                            {"bytes", c.bytes}, {"method", "approx"},
                            {"profile", profile->path}, {"familiar", e.familiar}};
      if (c.lexicon_share < 1 && profile->profile.lexicon) row["lexicon_share"] = c.lexicon_share;
      if (widened) row["bounds_widened_by"] = fallback.path();
      if (byte_bounded) row["ceiling"] = ceiling;
      row[flags.model.empty() ? "tokenizer" : "model"] = flags.model.empty() ? flags.tokenizer : flags.model;
      if (profile->profile.provisional) row["provisional"] = true;
      ctx.io.out << row.dump() << "\n";
    } else {
      ctx.io.out << e.tokens << "\t" << input_name << "\t[" << e.low << ", " << e.high << "] approx\n";
    }
  }
  if (!flags.json && counted > 1) {
    ApproxEstimate t = total.Result();
    t.low = std::max<int64_t>(0, t.low - std::llround(low_margin));
    t.high += std::llround(high_margin);
    ctx.io.out << t.tokens << "\ttotal\t[" << t.low << ", " << t.high << "] approx\n";
  }
  if (!unfamiliar.empty()) {
    std::string widened;
    if (fallback.exists()) {
      widened = "their bounds are widened to take in those of " + fallback.path() +
                " (fitted on mixed prose and code)";
    }
    if (byte_bounded) {
      widened += std::string(widened.empty() ? "" : ", and ") + "their high bound is a sure ceiling (" +
                 kCeilingRule + ")";
    }
    ctx.Error("count: note: " + std::to_string(unfamiliar.size()) + " of " + std::to_string(counted) +
              " inputs (first: " + unfamiliar[0] + ") have a character mix unlike the text " +
              profile->path + " was calibrated on; its 95% bounds may not hold for them" +
              (widened.empty() ? std::string(". ") : ", so " + widened + ". ") +
              "Calibrate on such text, or use --count exact/endpoint");
  }
  return exit_code;
}

// One input of hybrid counting.
struct HybridRow {
  std::string name;
  uint64_t bytes;
  ApproxEstimate approx;
  bool failed = false;
  std::optional<Counted> exact;
};

// A file of the sample must be what was estimated: one that changed size
// meanwhile is an error, not a count of other text.
Status ChangedError(const HybridRow& row, uint64_t bytes) {
  return InvalidArgumentError(row.name + ": changed while being read (" +
                              std::to_string(row.bytes) + " bytes, then " + std::to_string(bytes) +
                              ")");
}

// The sample's counts (rows[items[i]]) from the endpoint, through the
// cache; a file that cannot be read again gets its error. Stdin, read
// once, is in `held` (by row).
StatusOr<std::vector<Counted>> CountSampleByEndpoint(const Context& ctx, const ModelInfo& model,
                                                     const std::vector<HybridRow>& rows,
                                                     const std::vector<size_t>& items,
                                                     const std::map<size_t, std::string>& held) {
  std::vector<Counted> counted(items.size());
  std::vector<std::string> texts;  // the files read again
  texts.reserve(items.size());     // the views below stay put
  std::vector<std::string_view> views;
  std::vector<std::string> labels;
  std::vector<size_t> at;  // each view's place in `items`
  for (size_t i = 0; i < items.size(); ++i) {
    const HybridRow& row = rows[items[i]];
    if (row.name == "-") {
      views.push_back(held.at(items[i]));
    } else {
      StatusOr<Input> input = ReadInput(ctx, row.name);
      if (input.ok() && input->text.size() != row.bytes) {
        input = ChangedError(row, input->text.size());
      }
      if (!input.ok()) {
        counted[i].tokens = input.status();
        continue;
      }
      texts.push_back(std::move(input->text));
      views.push_back(texts.back());
    }
    labels.push_back(row.name);
    at.push_back(i);
  }
  CounterFactory factory(ctx);
  TOKCOST_ASSIGN_OR_RETURN(InputCounter * counter, factory.ForModel(model));
  std::vector<Counted> got = counter->CountTexts(views, labels);
  for (size_t k = 0; k < at.size(); ++k) counted[at[k]] = std::move(got[k]);
  return counted;
}

// The sample's exact counts (rows[items[i]]): a file streamed again.
// Not CounterFactory's exact counter: it counts with the default options,
// and these honour --allow-special and --invalid-utf8.
StatusOr<std::vector<Counted>> CountSampleExactly(const Context& ctx, const CountFlags& flags,
                                                  const std::vector<HybridRow>& rows,
                                                  const std::vector<size_t>& items,
                                                  const std::map<size_t, std::string>& held) {
  TOKCOST_ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tokenizer,
                           ctx.LoadTokenizerByName(flags.tokenizer));
  const TokenizeOptions options = OptionsOf(flags);
  std::vector<Counted> counted(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const HybridRow& row = rows[items[i]];
    StatusOr<int64_t>& tokens = counted[i].tokens;
    counted[i].method = "exact";
    if (row.name == "-") {
      StatusOr<size_t> n = tokenizer->Count(held.at(items[i]), options);
      tokens = n.ok() ? StatusOr<int64_t>(static_cast<int64_t>(*n)) : StatusOr<int64_t>(n.status());
      continue;
    }
    StatusOr<ExactCount> n = StreamCount(ctx, *tokenizer, row.name, JobsOf(flags), options);
    if (!n.ok()) {
      tokens = n.status();
    } else if (n->bytes != row.bytes) {
      tokens = ChangedError(row, n->bytes);
    } else {
      tokens = static_cast<int64_t>(n->tokens);
    }
  }
  return counted;
}

// Hybrid: every input is estimated; a uniform sample of --sample inputs is
// counted exactly (a local tokenizer) or by the endpoint (through the
// cache), and the total is the approximation corrected by the sample
// (RatioTotal), with its interval. Per input, the sampled ones print their
// count and the others their estimate; then the total. Files are streamed
// (as `count --count approx` and exact counting stream them), and a
// sampled one is read again, so memory stays bounded; only stdin is held.
int RunCountHybrid(const CountFlags& flags, const ModelInfo* endpoint_model, const Context& ctx) {
  if (flags.ids || !flags.tokenizer_file.empty()) {
    ctx.Error(std::string("count: --count hybrid works with --tokenizer or --model") +
              (flags.ids ? ", not --ids" : ", not --tokenizer-file (it has no profile)"));
    return kExitUsage;
  }
  const std::string name = endpoint_model != nullptr ? endpoint_model->id : flags.tokenizer;
  StatusOr<LoadedProfile> profile = LoadApproxProfile(ctx, name);
  if (!profile.ok()) return Fail(ctx, profile.status());
  StatusOr<std::vector<std::string>> names = InputNames(flags);
  if (!names.ok()) return Fail(ctx, names.status());
  int exit_code = kExitOk;
  std::vector<HybridRow> rows;
  HybridSample<size_t> sample(flags.sample, 1);  // of rows
  std::map<size_t, std::string> held;  // stdin's text, by row
  // Rejected as counting would reject it, whether or not it is sampled.
  const bool check_utf8 = flags.invalid_utf8 == "error";
  for (const std::string& input_name : *names) {
    ApproxCount approx;
    if (input_name == "-") {
      StatusOr<Input> input = ReadInput(ctx, input_name);
      Status valid = input.ok() ? OkStatus() : input.status();
      if (valid.ok() && check_utf8) valid = ValidateUtf8(input->text);
      if (!valid.ok()) {
        exit_code = std::max(exit_code, ReportInput(ctx, input_name, valid));
        continue;
      }
      approx = ApproxOfText(profile->profile, input->text, -1);
      held[rows.size()] = std::move(input->text);
    } else {
      StatusOr<std::vector<ApproxCount>> streamed =
          StreamApprox(ctx, {&profile->profile}, input_name, check_utf8);
      if (!streamed.ok()) {
        exit_code = std::max(exit_code, ReportInput(ctx, input_name, streamed.status()));
        continue;
      }
      approx = (*streamed)[0];
    }
    rows.push_back({input_name, approx.bytes, approx.estimate, false, std::nullopt});
    sample.Offer(rows.size() - 1, static_cast<double>(approx.estimate.tokens));
  }
  sample.Close();
  StatusOr<std::vector<Counted>> counted =
      endpoint_model != nullptr
          ? CountSampleByEndpoint(ctx, *endpoint_model, rows, sample.items(), held)
          : CountSampleExactly(ctx, flags, rows, sample.items(), held);
  if (!counted.ok()) return Fail(ctx, counted.status());
  // A sampled input that cannot be counted is reported and left out of the
  // population, like an input that cannot be read.
  std::vector<std::optional<int64_t>> exact;
  int64_t sampled = 0;
  for (size_t i = 0; i < counted->size(); ++i) {
    HybridRow& row = rows[sample.items()[i]];
    Counted& c = (*counted)[i];
    if (!c.tokens.ok()) {
      exit_code = std::max(exit_code, ReportInput(ctx, row.name, c.tokens.status()));
      row.failed = true;
      exact.push_back(std::nullopt);
      continue;
    }
    exact.push_back(*c.tokens);
    ++sampled;
    row.exact = std::move(c);
  }
  const int64_t population =
      std::count_if(rows.begin(), rows.end(), [](const HybridRow& r) { return !r.failed; });
  const HybridTotal total = sample.Estimate(exact);
  const std::string what = endpoint_model != nullptr ? "model" : "tokenizer";
  for (const HybridRow& row : rows) {
    if (row.failed) continue;
    if (flags.json) {
      nlohmann::json j = {{"input", row.name}, {what, name}, {"bytes", row.bytes}};
      if (endpoint_model == nullptr && !flags.model.empty()) j["model"] = flags.model;
      if (row.exact) {
        j["tokens"] = *row.exact->tokens;
        j["method"] = row.exact->method;
      } else {
        j.update({{"tokens", row.approx.tokens}, {"low", row.approx.low},
                  {"high", row.approx.high}, {"confidence", 0.95}, {"method", "approx"},
                  {"familiar", row.approx.familiar}});
      }
      ctx.io.out << j.dump() << "\n";
    } else if (row.exact) {
      ctx.io.out << *row.exact->tokens << "\t" << row.name << "\t" << row.exact->method << "\n";
    } else {
      ctx.io.out << row.approx.tokens << "\t" << row.name << "\t[" << row.approx.low << ", "
                 << row.approx.high << "] approx\n";
    }
  }
  const auto tokens = std::llround(total.tokens), low = std::llround(std::floor(total.low)),
             high = std::llround(std::ceil(total.high));
  if (flags.json) {
    ctx.io.out << nlohmann::json{{"total", true},    {what, name},
                                 {"inputs", population}, {"sampled", sampled},
                                 {"tokens", tokens},  {"low", low},
                                 {"high", high},      {"confidence", 0.95},
                                 {"method", "hybrid"}, {"profile", profile->path}}
                      .dump()
               << "\n";
  } else {
    ctx.io.out << tokens << "\ttotal\t[" << low << ", " << high << "] hybrid (" << sampled
               << " of " << population << " inputs counted)\n";
  }
  return exit_code;
}

int RunCount(CountFlags flags, const Context& ctx) {
  if (flags.tokenizer.empty() + flags.model.empty() + flags.tokenizer_file.empty() != 2) {
    ctx.Error("count: give exactly one of --tokenizer NAME, --tokenizer-file PATH or --model ID");
    return kExitUsage;
  }
  if (!flags.model.empty()) {
    StatusOr<const Catalog*> catalog = ctx.Models();
    StatusOr<ResolvedModel> model =
        catalog.ok() ? (*catalog)->Resolve(flags.model) : StatusOr<ResolvedModel>(catalog.status());
    if (!model.ok()) return Fail(ctx, model.status());
    if (flags.count == "approx") {
      const bool endpoint = model->model->CountsThroughEndpoint();
      return RunCountApprox(flags, endpoint ? model->model->id : model->model->tokenizer,
                            !endpoint, ctx);
    }
    if (flags.count == "hybrid" && model->model->CountsThroughEndpoint()) {
      return RunCountHybrid(flags, model->model, ctx);
    }
    if (model->model->CountsThroughEndpoint()) {
      if (flags.count == "exact") {
        ctx.Error("count: " + model->model->id + " has no public tokenizer: use --count endpoint or approx");
        return kExitUsage;
      }
      return RunCountEndpoint(flags, *model->model, ctx);
    }
    flags.tokenizer = model->model->tokenizer;
  }
  if (flags.count == "approx") return RunCountApprox(flags, flags.tokenizer, true, ctx);
  if (flags.count == "hybrid") return RunCountHybrid(flags, nullptr, ctx);
  if (flags.count == "endpoint") {
    ctx.Error("count: --count endpoint needs --model (a model without a public tokenizer)");
    return kExitUsage;
  }
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer =
      flags.tokenizer_file.empty() ? ctx.LoadTokenizerByName(flags.tokenizer)
                                   : ctx.LoadTokenizerFile(flags.tokenizer_file);
  if (!flags.tokenizer_file.empty()) flags.tokenizer = flags.tokenizer_file;
  if (!tokenizer.ok()) return Fail(ctx, tokenizer.status());
  const TokenizeOptions options = OptionsOf(flags);
  StatusOr<std::vector<std::string>> inputs = InputNames(flags);
  if (!inputs.ok()) return Fail(ctx, inputs.status());
  int exit_code = kExitOk;
  size_t total_tokens = 0, counted = 0;
  const int jobs = JobsOf(flags);
  for (const std::string& name : *inputs) {
    StatusOr<ExactCount> r = flags.ids ? EncodeInput(ctx, **tokenizer, name, options)
                                       : StreamCount(ctx, **tokenizer, name, jobs, options);
    if (!r.ok()) {
      // Keep going: one bad file must not lose the other counts.
      exit_code = std::max(exit_code, ReportInput(ctx, name, r.status()));
      continue;
    }
    total_tokens += r->tokens;
    ++counted;
    if (flags.json) {
      nlohmann::json row = {{"input", name}, {"tokenizer", flags.tokenizer}, {"tokens", r->tokens},
                            {"bytes", r->bytes}, {"method", "exact"}};
      if (flags.ids) row["ids"] = r->ids;
      if (!flags.model.empty()) row["model"] = flags.model;
      ctx.io.out << row.dump() << "\n";
    } else {
      ctx.io.out << r->tokens << "\t" << name << "\n";
      if (flags.ids) {
        for (size_t k = 0; k < r->ids.size(); ++k) ctx.io.out << (k ? " " : "") << r->ids[k];
        ctx.io.out << "\n";
      }
    }
  }
  if (!flags.json && counted > 1) ctx.io.out << total_tokens << "\ttotal\n";
  return exit_code;
}

}  // namespace

Runner RegisterCount(CLI::App* app) {
  auto flags = std::make_shared<CountFlags>();
  CLI::App* cmd = app->add_subcommand("count", "Count tokens in files or stdin");
  cmd->footer(
      "Prints \"TOKENS<TAB>INPUT\" per input (and a total), or one JSON object\n"
      "per input with --json. Every count says how it was made (\"method\").\n"
      "With --count hybrid, --json ends with the total's object ({\"total\": true, ...}).\n\n"
      "Example:\n"
      "  tools/tokcost count --tokenizer o200k_base --json data/examples/prompts.txt\n"
      "  echo 'Привет, мир' | tools/tokcost count --tokenizer qwen3 -\n"
      "  YC_API_KEY=... YC_FOLDER_ID=... tools/tokcost count --model yandexgpt-lite --json a.txt");
  cmd->add_option("--tokenizer", flags->tokenizer, "Tokenizer name (see `tokcost tokenizers`)");
  cmd->add_option("--tokenizer-file", flags->tokenizer_file,
                  "Count exactly with your own tokenizer: a SentencePiece .model (through "
                  "libsentencepiece) or a Hugging Face tokenizer.json");
  cmd->add_option("--model", flags->model,
                  "Model id (see `tokcost models`): its exact tokenizer, or for YandexGPT and "
                  "Alice AI the tokenize endpoint through the cache");
  cmd->add_flag("--json", flags->json, "One JSON object per input per line");
  cmd->add_flag("--ids", flags->ids, "Also print the token ids (debugging)");
  cmd->add_flag("--allow-special", flags->allow_special,
                "Match special tokens such as <|endoftext|> as single tokens "
                "(default: they count as plain text)");
  cmd->add_option("--invalid-utf8", flags->invalid_utf8,
                  "error (default: fail naming the byte offset) or replace "
                  "(each bad byte counts as U+FFFD)")
      ->check(CLI::IsMember({"error", "replace"}));
  cmd->add_option("-j,--jobs", flags->jobs, "Threads for large inputs (default: all cores)");
  cmd->add_option("--count", flags->count,
                  "How to count: auto (default: exact where a tokenizer is public, else endpoint), "
                  "exact, endpoint, approx (fast, with 95% bounds from a calibrated profile), "
                  "hybrid (every input approximated, --sample of them counted exactly or by the "
                  "endpoint; a corrected total with its 95% interval)")
      ->check(CLI::IsMember({"auto", "exact", "endpoint", "approx", "hybrid"}));
  cmd->add_option("--sample", flags->sample,
                  "hybrid: N inputs drawn at random are counted exactly (default 200), and any "
                  "estimated at 1/N of the total or more")
      ->check(CLI::PositiveNumber);
  cmd->add_option("inputs", flags->inputs, "Files to count; - or none for stdin");
  return [flags](const Context& ctx) { return RunCount(*flags, ctx); };
}

}  // namespace tokcost::cli
