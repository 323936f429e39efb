#include "tools/cli/workload_cost.h"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tools/cli/counting.h"

namespace tokcost::cli {
namespace {

using Json = nlohmann::json;

// Finds the first "usage" object (depth-first, shallow results first).
const Json* FindUsage(const Json& j, int depth = 0) {
  if (!j.is_object() || depth > 4) return nullptr;
  if (j.contains("usage") && j["usage"].is_object()) return &j["usage"];
  for (const char* key : {"result", "response", "body"}) {
    if (j.contains(key)) {
      if (const Json* u = FindUsage(j[key], depth + 1)) return u;
    }
  }
  return nullptr;
}

// Output tokens from one line of a results file. Reasoning tokens are part
// of completionTokens / completion_tokens already and are not added again.
StatusOr<int64_t> UsageOutputTokens(const std::string& line) {
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded()) return InvalidArgumentError("not a JSON object");
  const Json* usage = FindUsage(j);
  if (usage == nullptr) return InvalidArgumentError("no \"usage\" object");
  for (const char* key : {"completionTokens", "completion_tokens", "output_tokens"}) {
    if (!usage->contains(key)) continue;
    const Json& v = (*usage)[key];
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) return std::stoll(s);
    }
    return InvalidArgumentError(std::string("usage.") + key + ": expected a whole number");
  }
  return InvalidArgumentError("usage has no completionTokens / completion_tokens");
}

struct Active {
  const ModelInfo* model;
  InputCounter* counter;
  std::vector<std::pair<size_t, CostAccumulator>> accumulators;  // row index, acc
  std::map<std::string, int64_t> methods;  // how many requests each way
};

}  // namespace

std::string Today() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

StatusOr<WorkloadSummary> CostWorkload(const Context& ctx,
                                       const std::vector<std::string>& inputs,
                                       const std::vector<const ModelInfo*>& models,
                                       const std::vector<Mode>& modes,
                                       const WorkloadOptions& options) {
  TOKCOST_ASSIGN_OR_RETURN(const PriceBook* book, ctx.Prices());
  WorkloadSummary summary;
  CounterFactory counters(ctx);
  std::vector<Active> active;
  for (const ModelInfo* model : models) {
    StatusOr<InputCounter*> counter = counters.ForModel(*model);
    Active a{model, counter.ok() ? *counter : nullptr, {}, {}};
    for (Mode mode : modes) {
      CostRow row;
      row.model = model;
      row.mode = mode;
      if (!model->Offers(ModeName(mode))) {
        row.state = CostRow::State::kNotOffered;
      } else if (!counter.ok()) {
        row.state = CostRow::State::kError;
        row.error = counter.status();
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
  auto flush = [&]() -> Status {
    if (chunk.empty()) return OkStatus();
    std::vector<const Request*> ptrs;
    for (const Request& r : chunk) ptrs.push_back(&r);
    for (Active& a : active) {
      std::vector<Counted> counted = a.counter->CountRequests(ptrs);
      for (size_t i = 0; i < chunk.size(); ++i) {
        if (!counted[i].tokens.ok()) {
          const Status& st = counted[i].tokens.status();
          if (!options.skip_bad || st.code() != StatusCode::kInvalidArgument) return st;
          ctx.Error("skipped " + st.message());
          continue;
        }
        const int64_t in = *counted[i].tokens;
        const int64_t out = chunk_output[i] ? *chunk_output[i] : options.output.ratio->MulInt(in).Ceil();
        ++a.methods[counted[i].method];
        for (auto& [row, acc] : a.accumulators) acc.Add({in, out});
      }
    }
    chunk.clear();
    chunk_output.clear();
    return OkStatus();
  };
  for (const std::string& input : inputs) {
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
      if (chunk.size() >= kChunk) TOKCOST_RETURN_IF_ERROR(flush());
    }
  }
  TOKCOST_RETURN_IF_ERROR(flush());
  for (Active& a : active) {
    for (auto& [row, acc] : a.accumulators) summary.rows[row].method = CombineMethods(a.methods);
  }
  for (Active& a : active) {
    for (auto& [row, acc] : a.accumulators) summary.rows[row].result = acc.Result();
  }
  std::stable_sort(summary.rows.begin(), summary.rows.end(), [](const CostRow& x, const CostRow& y) {
    if (x.state != y.state) return x.state < y.state;
    if (x.state != CostRow::State::kOk) return false;
    return x.result.cost < y.result.cost;
  });
  return summary;
}

}  // namespace tokcost::cli
