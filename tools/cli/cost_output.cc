#include "tools/cli/cost_output.h"

#include <algorithm>
#include <cstdio>

namespace tokcost::cli {
namespace {

// Display width of UTF-8 text: one column per code point.
size_t Width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

}  // namespace

nlohmann::json RowJson(const CostRow& row, const std::string& currency) {
  nlohmann::json j = {{"model", row.model->id}, {"mode", ModeName(row.mode)}, {"currency", currency}};
  switch (row.state) {
    case CostRow::State::kNotOffered:
      j["status"] = "not_offered";
      return j;
    case CostRow::State::kError:
      j["status"] = "error";
      j["error"] = row.error.message();
      return j;
    case CostRow::State::kOk:
      break;
  }
  const CostResult& r = row.result;
  j["status"] = "ok";
  j["requests"] = r.requests;
  j["input_tokens"] = r.input_tokens;
  j["output_tokens"] = r.output_tokens;
  j["units"] = r.units;
  j["cost"] = r.cost.ToString();
  j["method"] = row.method;
  if (row.mode == Mode::kBatch) j["batch_minimum_applied"] = r.minimum_applied;
  if (row.has_interval) {
    j["confidence"] = 0.95;
    j["input_tokens_low"] = row.low.input_tokens;
    j["input_tokens_high"] = row.high.input_tokens;
    j["cost_low"] = row.low.cost.ToString();
    j["cost_high"] = row.high.cost.ToString();
    if (row.sampled) j["sampled_requests"] = row.sampled;
  }
  const Price& p = *row.price;
  j["vat_included"] = p.sheet.vat_included;
  j["price"] = {{"sku", p.sku},
                {"price_per_1000_units", p.price_per_1000_units.ToString()},
                {"input_units_per_token", p.input_units_per_token.ToString()},
                {"output_units_per_token", p.output_units_per_token.ToString()}};
  j["price_sheet"] = {{"path", p.sheet.path},
                      {"effective_from", p.sheet.effective_from},
                      {"source", p.sheet.source}};
  return j;
}

std::string CostText(const CostRow& row, const std::string& currency) {
  return row.result.cost.ToString() + " " + currency +
         (row.price->sheet.vat_included ? " incl. VAT" : " excl. VAT");
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& r : rows) {
    if (widths.size() < r.size()) widths.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], Width(r[i]));
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      std::string pad(widths[i] - Width(r[i]), ' ');
      bool left = i < 2 || i + 1 == r.size();
      line += (i ? "  " : "") + (left ? r[i] + pad : pad + r[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string Ratio(const Decimal& cost, const Decimal& cheapest) {
  if (cheapest.is_zero()) return cost.is_zero() ? "1.00x" : "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fx", cost.ToDouble() / cheapest.ToDouble());
  return buf;
}

}  // namespace tokcost::cli
