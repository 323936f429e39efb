#include "tools/cli/workload_cost.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>

#include "tools/cli/approx_counter.h"
#include "tools/cli/approx_profiles.h"
#include "tools/cli/counting.h"
#include "tools/base/time_util.h"

namespace tokcost::cli {
namespace {

struct Active {
  const ModelInfo* model = nullptr;
  InputCounter* counter = nullptr;  // exact or endpoint (nullptr in approx mode)
  std::vector<std::pair<size_t, CostAccumulator>> accumulators;  // row index, acc
  std::map<std::string, int64_t> methods;  // how many requests each way
  // Approx and hybrid modes.
  std::optional<ApproxProfile> profile;
  // The shipped profile, when `profile` is the user's (approx mode).
  std::optional<ShippedFallback> fallback;
  const ChatTemplate* chat_template = nullptr;
  double approx_sum = 0;
  int64_t unfamiliar = 0;  // requests unlike the profile's calibration text
  // Sums over them of how far the fallback's bounds lie beyond the
  // estimate (low_margin, fallback_margin), and of how far their ceilings
  // lie beyond that, when known.
  double low_margin = 0, fallback_margin = 0, ceiling_margin = 0;
  std::unique_ptr<HybridSample<Request>> sample;
};

// Sets up how one model is counted under `mode`.
Status Prepare(const Context& ctx, CounterFactory& counters, CountMode mode,
               const WorkloadOptions& options, Active* a) {
  const ModelInfo& m = *a->model;
  if (mode == CountMode::kExact && m.CountsThroughEndpoint()) {
    return FailedPreconditionError(m.id + " has no public tokenizer: no exact count (use --count "
                                          "endpoint, approx or hybrid)");
  }
  if (mode == CountMode::kApprox || mode == CountMode::kHybrid) {
    const std::string name = m.CountsThroughEndpoint() ? m.id : m.tokenizer;
    TOKCOST_ASSIGN_OR_RETURN(LoadedProfile p, LoadApproxProfile(ctx, name));
    TOKCOST_ASSIGN_OR_RETURN(a->chat_template, counters.TemplateFor(m));
    if (mode == CountMode::kApprox) {
      a->fallback.emplace(ctx, name, p);
    }
    a->profile = std::move(p.profile);
    if (mode == CountMode::kApprox) return OkStatus();
    a->sample = std::make_unique<HybridSample<Request>>(options.sample, options.seed);
  }
  TOKCOST_ASSIGN_OR_RETURN(a->counter, counters.ForModel(m, mode == CountMode::kEndpoint));
  return OkStatus();
}

}  // namespace

StatusOr<CountMode> ParseCountMode(const std::string& name) {
  if (name == "auto") return CountMode::kAuto;
  if (name == "exact") return CountMode::kExact;
  if (name == "endpoint") return CountMode::kEndpoint;
  if (name == "approx") return CountMode::kApprox;
  if (name == "hybrid") return CountMode::kHybrid;
  return InvalidArgumentError("unknown --count \"" + name + "\" (auto, exact, endpoint, approx, hybrid)");
}

StatusOr<WorkloadSummary> CostWorkload(const Context& ctx,
                                       const std::vector<std::string>& inputs,
                                       const std::vector<const ModelInfo*>& models,
                                       const std::vector<Mode>& modes,
                                       const WorkloadOptions& options) {
  TOKCOST_ASSIGN_OR_RETURN(const PriceBook* book, ctx.Prices());
  WorkloadSummary summary;
  CounterFactory counters(ctx, options.threads);
  std::vector<Active> active;
  for (const ModelInfo* model : models) {
    Active a;
    a.model = model;
    Status counter = Prepare(ctx, counters, options.count, options, &a);
    for (Mode mode : modes) {
      CostRow row;
      row.model = model;
      row.mode = mode;
      if (!model->Offers(ModeName(mode))) {
        row.state = CostRow::State::kNotOffered;
      } else if (!counter.ok()) {
        row.state = CostRow::State::kError;
        row.error = counter;
      } else {
        StatusOr<Price> price = book->Lookup(model->id, mode, options.currency, options.date);
        if (!price.ok()) {
          row.state = CostRow::State::kError;
          row.error = price.status();
        } else {
          row.price = *price;
          a.accumulators.emplace_back(summary.rows.size(), CostAccumulator(*price));
        }
      }
      summary.rows.push_back(std::move(row));
    }
    if (!a.accumulators.empty()) active.push_back(std::move(a));
  }

  std::unique_ptr<std::ifstream> usage;
  if (!options.output.usage_file.empty()) {
    usage = std::make_unique<std::ifstream>(options.output.usage_file);
    if (!*usage) return NotFoundError(options.output.usage_file + ": cannot open");
  }
  summary.output_source = options.output.tokens       ? "--output-tokens"
                          : options.output.ratio      ? "--output-ratio"
                          : usage                     ? "--usage"
                                                      : "maxTokens";
  int64_t usage_line = 0;
  // Requests are counted in chunks so that endpoint calls run concurrently
  // while memory stays bounded.
  constexpr size_t kChunk = 1024;
  std::vector<Request> chunk;
  std::vector<std::optional<int64_t>> chunk_output;
  // Request i of the chunk, `in` input tokens counted by `method`, into
  // every row of `a`.
  auto add = [&](Active& a, size_t i, int64_t in, const std::string& method) -> Status {
    const int64_t out = chunk_output[i] ? *chunk_output[i] : options.output.ratio->MulInt(in).Ceil();
    ++a.methods[method];
    for (auto& [row, acc] : a.accumulators) {
      TOKCOST_RETURN_IF_ERROR(acc.Add({in, out}).WithContext(chunk[i].location));
    }
    return OkStatus();
  };
  auto flush = [&]() -> Status {
    if (chunk.empty()) return OkStatus();
    std::vector<const Request*> ptrs;
    for (const Request& r : chunk) ptrs.push_back(&r);
    for (Active& a : active) {
      if (a.profile) {
        for (size_t i = 0; i < chunk.size(); ++i) {
          const RequestEstimate r = ApproxRequest(*a.profile, a.chat_template, chunk[i]);
          const double approx = r.tokens;
          if (!r.familiar) {
            ++a.unfamiliar;
            double high = approx;
            if (a.fallback && a.fallback->exists()) {
              TOKCOST_ASSIGN_OR_RETURN(const ApproxProfile* fallback, a.fallback->Get());
              const ApproxEstimate shipped =
                  fallback->WithBounds(ApproxRequest(*fallback, a.chat_template, chunk[i]).tokens);
              a.low_margin += std::max(0.0, approx - static_cast<double>(shipped.low));
              high = std::max(high, static_cast<double>(shipped.high));
              a.fallback_margin += high - approx;
            }
            if (r.ceiling >= 0) a.ceiling_margin += std::max(0.0, r.ceiling - high);
          }
          a.approx_sum += approx;
          if (a.sample) a.sample->Offer(chunk[i], approx);
          TOKCOST_RETURN_IF_ERROR(add(a, i, std::llround(approx), "approx"));
        }
        continue;
      }
      std::vector<Counted> counted = a.counter->CountRequests(ptrs);
      for (size_t i = 0; i < chunk.size(); ++i) {
        if (!counted[i].tokens.ok()) {
          const Status& st = counted[i].tokens.status();
          if (!options.skip_bad || st.code() != StatusCode::kInvalidArgument) return st;
          ctx.Error("skipped " + st.message());
          continue;
        }
        TOKCOST_RETURN_IF_ERROR(add(a, i, *counted[i].tokens, counted[i].method));
      }
    }
    chunk.clear();
    chunk_output.clear();
    return OkStatus();
  };
  TOKCOST_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandInputs(inputs));
  uint64_t total_bytes = 0, done_bytes = 0;
  for (const std::string& f : files) {
    struct stat st;
    if (f != "-" && ::stat(f.c_str(), &st) == 0) total_bytes += static_cast<uint64_t>(st.st_size);
  }
  Progress progress(ctx, total_bytes);
  for (const std::string& input : files) {
    TOKCOST_ASSIGN_OR_RETURN(std::unique_ptr<WorkloadReader> reader,
                             WorkloadReader::Open(input, options.format, &ctx.io.in));
    Request request;
    Status error;
    while (reader->Next(&request, &error)) {
      if (!error.ok()) {
        if (!options.skip_bad) return error;
        ctx.Error("skipped " + error.message());
        ++summary.skipped_lines;
        continue;
      }
      std::optional<int64_t> output = options.output.tokens;
      if (!output && usage) {
        std::string line;
        ++usage_line;
        if (!std::getline(*usage, line)) {
          return InvalidArgumentError(options.output.usage_file + ": has fewer lines than the workload (" +
                                      request.location + " has none)");
        }
        StatusOr<int64_t> n = UsageOutputTokens(line);
        if (!n.ok()) {
          return n.status().WithContext(options.output.usage_file + ":" + std::to_string(usage_line));
        }
        output = *n;
      }
      if (!output && !options.output.ratio) {
        if (!request.max_tokens) {
          return InvalidArgumentError(
              request.location +
              ": no output token estimate: the request has no maxTokens; pass --output-tokens N, "
              "--output-ratio R or --usage FILE");
        }
        output = *request.max_tokens;
      }
      ++summary.requests;
      chunk.push_back(std::move(request));
      chunk_output.push_back(output);
      if (chunk.size() >= kChunk) {
        TOKCOST_RETURN_IF_ERROR(flush());
        progress.Update(done_bytes + reader->bytes_read(), summary.requests);
      }
    }
    done_bytes += reader->bytes_read();
  }
  TOKCOST_RETURN_IF_ERROR(flush());
  for (Active& a : active) {
    for (auto& [row, acc] : a.accumulators) {
      CostRow& r = summary.rows[row];
      TOKCOST_ASSIGN_OR_RETURN(r.result, acc.Result());
      r.method = CombineMethods(a.methods);
    }
    if (!a.profile) continue;
    // Input tokens: the point estimate and its 95% interval.
    double point = a.approx_sum, low = 0, high = 0;
    std::string method = "approx";
    int64_t sampled = 0;
    if (a.sample) {
      a.sample->Close();
      std::vector<const Request*> ptrs;
      for (const Request& r : a.sample->items()) ptrs.push_back(&r);
      std::vector<Counted> counted = a.counter->CountRequests(ptrs);
      std::vector<std::optional<int64_t>> exact;
      std::string how = "exact";
      for (const Counted& c : counted) {
        if (!c.tokens.ok()) return c.tokens.status();
        exact.push_back(*c.tokens);
        if (c.method != "exact") how = "endpoint";
      }
      HybridTotal t = a.sample->Estimate(exact);
      point = t.tokens;
      low = t.low;
      high = t.high;
      sampled = static_cast<int64_t>(exact.size());
      method = "hybrid(" + how + " sample of " + std::to_string(sampled) + ")";
    } else {
      ApproxTotal total = a.profile->NewTotal();
      total.Add(a.approx_sum);
      ApproxEstimate e = total.Result();
      low = static_cast<double>(e.low);
      high = static_cast<double>(e.high);
      // (Hybrid needs no such note: its interval comes from exact counts.)
      // The profile's bounds may not hold for unfamiliar requests, so the
      // interval takes in the shipped profile's bounds for them, if the
      // profile is the user's, and the high bound their ceilings: `check`
      // reads it, and must err towards "over budget". Their per-request
      // margins add up, as errors that need not cancel.
      low = std::max(0.0, low - a.low_margin);
      high += a.fallback_margin + a.ceiling_margin;
      if (a.unfamiliar > 0) {
        std::string note = "note: " + a.model->id + ": " + std::to_string(a.unfamiliar) +
                           " requests have a character mix unlike the text its approximation " +
                           "profile was calibrated on; ";
        // A ceiling is known exactly when the model has a chat template
        // (ApproxRequest), so for all of a model's requests or none.
        const bool widened = a.fallback && a.fallback->exists();
        if (widened) note += "the interval takes in the shipped profile's bounds for them";
        if (a.chat_template != nullptr) {
          note += std::string(widened ? ", and " : "") +
                  "the high bound counts them at a sure ceiling (" + kCeilingRule + ")";
        } else if (!widened) {
          note += "the interval may not hold for them";
        }
        ctx.Error(note + " (calibrate on such text, or use --count hybrid or exact)");
      }
    }
    for (auto& [row, acc] : a.accumulators) {
      CostRow& r = summary.rows[row];
      const CostResult base = r.result;
      const Price& price = *r.price;
      auto shifted = [&](double tokens) {
        return WithInputDelta(price, base, std::llround(tokens) - base.input_tokens);
      };
      r.result = shifted(point);
      r.low = shifted(low);
      r.high = shifted(high);
      r.has_interval = true;
      r.sampled = sampled;
      r.method = method;
    }
  }
  std::stable_sort(summary.rows.begin(), summary.rows.end(), [](const CostRow& x, const CostRow& y) {
    if (x.state != y.state) return x.state < y.state;
    if (x.state != CostRow::State::kOk) return false;
    return x.result.cost < y.result.cost;
  });
  return summary;
}

}  // namespace tokcost::cli
