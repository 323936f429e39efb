#include "tools/cli/report_render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "tools/cli/cost_output.h"

#include "tools/base/time_util.h"

namespace tokcost::cli {
namespace {

using Json = nlohmann::json;

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

double Num(const Json& row, const char* key) {
  if (!row.contains(key)) return 0;
  const Json& v = row[key];
  return v.is_string() ? std::atof(v.get<std::string>().c_str()) : v.get<double>();
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? "\"\"" : std::string(1, c);
  return out + "\"";
}

std::string Label(const Json& row) {
  return row["model"].get<std::string>() + " " + row["mode"].get<std::string>();
}

// Horizontal bars of cost per model and mode, split into input and output
// shares, with error bars for approximate counts.
std::string CostChart(const std::vector<Json>& rows, const std::string& currency) {
  const int label_w = 260, bar_w = 520, row_h = 30, top = 10;
  double max_cost = 0;
  for (const Json& r : rows) max_cost = std::max(max_cost, std::max(Num(r, "cost"), Num(r, "cost_high")));
  if (max_cost <= 0) max_cost = 1;
  const int height = top + row_h * static_cast<int>(rows.size()) + 30;
  std::ostringstream svg;
  svg << "<svg class=\"chart\" role=\"img\" aria-label=\"Cost per model and mode\" viewBox=\"0 0 "
      << (label_w + bar_w + 120) << " " << height << "\" width=\"100%\">\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Json& r = rows[i];
    const double cost = Num(r, "cost");
    const double in_units = Num(r, "input_tokens") * Num(r["price"], "input_units_per_token");
    const double out_units = Num(r, "output_tokens") * Num(r["price"], "output_units_per_token");
    const double in_share = in_units + out_units > 0 ? in_units / (in_units + out_units) : 0;
    const double w = bar_w * cost / max_cost;
    const int y = top + row_h * static_cast<int>(i);
    svg << "<text class=\"label\" x=\"" << label_w - 8 << "\" y=\"" << y + 19
        << "\" text-anchor=\"end\">" << Escape(Label(r)) << "</text>\n";
    svg << "<rect class=\"bar in\" x=\"" << label_w << "\" y=\"" << y + 5 << "\" width=\""
        << Fixed(std::max(w * in_share, 0.0), 2) << "\" height=\"" << row_h - 10
        << "\"><title>input share " << Fixed(100 * in_share, 1) << "%</title></rect>\n";
    svg << "<rect class=\"bar out\" x=\"" << Fixed(label_w + w * in_share, 2) << "\" y=\"" << y + 5
        << "\" width=\"" << Fixed(std::max(w * (1 - in_share), 0.0), 2) << "\" height=\"" << row_h - 10
        << "\"><title>output share " << Fixed(100 * (1 - in_share), 1) << "%</title></rect>\n";
    if (r.contains("cost_low")) {
      const double lo = label_w + bar_w * Num(r, "cost_low") / max_cost;
      const double hi = label_w + bar_w * Num(r, "cost_high") / max_cost;
      const int cy = y + row_h / 2;
      svg << "<path class=\"errorbar\" d=\"M" << Fixed(lo, 2) << " " << cy << " H" << Fixed(hi, 2)
          << " M" << Fixed(lo, 2) << " " << cy - 6 << " V" << cy + 6 << " M" << Fixed(hi, 2) << " "
          << cy - 6 << " V" << cy + 6 << "\"><title>95% interval</title></path>\n";
    }
    svg << "<text class=\"value\" x=\"" << Fixed(label_w + w + 6, 2) << "\" y=\"" << y + 19 << "\">"
        << Escape(r["cost"].get<std::string>()) << "</text>\n";
  }
  const int ly = height - 12;
  svg << "<rect class=\"bar in\" x=\"" << label_w << "\" y=\"" << ly - 10 << "\" width=\"12\" height=\"12\"/>"
      << "<text class=\"legend\" x=\"" << label_w + 18 << "\" y=\"" << ly << "\">input</text>"
      << "<rect class=\"bar out\" x=\"" << label_w + 80 << "\" y=\"" << ly - 10
      << "\" width=\"12\" height=\"12\"/>"
      << "<text class=\"legend\" x=\"" << label_w + 98 << "\" y=\"" << ly << "\">output</text>"
      << "<text class=\"legend\" x=\"" << label_w + 170 << "\" y=\"" << ly << "\">cost, "
      << Escape(currency) << "</text>\n";
  svg << "</svg>\n";
  return svg.str();
}

const char* kStyle = R"(
:root { --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de; --in: #2f6fdf; --out: #e8893a; --err: #1b1f24; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8b949e; --line: #30363d; --in: #58a6ff; --out: #f0883e; --err: #e6edf3; }
}
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 2rem auto; max-width: 980px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.meta, .note { color: var(--muted); }
.summary { font-size: 1.05rem; }
table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: right; font-variant-numeric: tabular-nums; }
th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; white-space: nowrap; }
.chart text { fill: var(--fg); font-size: 13px; } .chart .legend { fill: var(--muted); }
.bar.in { fill: var(--in); } .bar.out { fill: var(--out); }
.errorbar { stroke: var(--err); stroke-width: 1.5; fill: none; }
@media print { body { margin: 0; max-width: none; } .bar.in { fill: #2f6fdf; } .bar.out { fill: #e8893a; } }
)";

// Self-check for tests and curious readers: after layout, records each bar's
// size on <body data-bars>, so that a headless browser's DOM dump shows that
// the charts were drawn.
const char* kScript = R"(
window.addEventListener('load', function () {
  var sizes = Array.prototype.map.call(document.querySelectorAll('.chart .bar'), function (b) {
    var r = b.getBoundingClientRect(); return Math.round(r.width) + 'x' + Math.round(r.height);
  });
  document.body.setAttribute('data-bars', sizes.join(' '));
});
)";

}  // namespace

Json ReportJson(const WorkloadSummary& summary, const WorkloadOptions& options,
                const std::vector<std::string>& inputs) {
  Json rows = Json::array();
  Decimal cheapest;
  bool any = false;
  for (const CostRow& r : summary.rows) {
    if (r.state == CostRow::State::kOk && !any) cheapest = r.result.cost, any = true;
  }
  std::map<std::string, Json> sheets;
  for (const CostRow& r : summary.rows) {
    Json row = RowJson(r, options.currency);
    if (r.state == CostRow::State::kOk) {
      row["ratio_to_cheapest"] = Ratio(r.result.cost, cheapest);
      sheets[r.price->sheet.path] = {{"path", r.price->sheet.path},
                                     {"source", r.price->sheet.source},
                                     {"effective_from", r.price->sheet.effective_from},
                                     {"currency", r.price->sheet.currency},
                                     {"vat_included", r.price->sheet.vat_included}};
    }
    rows.push_back(row);
  }
  Json sheet_list = Json::array();
  for (auto& [path, s] : sheets) sheet_list.push_back(s);
  return {{"tokcost_version", kTokcostVersion},
          {"generated", TodayUtc()},
          {"date", options.date},
          {"currency", options.currency},
          {"inputs", inputs},
          {"requests", summary.requests},
          {"output_tokens_from", summary.output_source},
          {"price_sheets", sheet_list},
          {"rows", rows}};
}

std::string RenderHtml(const Json& report) {
  std::vector<Json> ok, other;
  for (const Json& r : report["rows"]) (r["status"] == "ok" ? ok : other).push_back(r);
  const std::string cur = report["currency"];
  std::ostringstream h;
  h << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>tokcost: cost comparison</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  h << "<h1>What this workload costs</h1>\n<p class=\"meta\">" << report["requests"].get<int64_t>()
    << " requests from " << Escape(report["inputs"].dump()) << "; prices in effect on "
    << Escape(report["date"].get<std::string>()) << "; output tokens from "
    << Escape(report["output_tokens_from"].get<std::string>()) << ".</p>\n";
  if (!ok.empty()) {
    const Json& best = ok.front();
    h << "<p class=\"summary\">Cheapest: <strong>" << Escape(Label(best)) << "</strong> at <strong>"
      << Escape(best["cost"].get<std::string>()) << " " << Escape(cur) << "</strong>";
    if (ok.size() > 1) {
      h << "; the most expensive option shown costs " << Escape(ok.back()["ratio_to_cheapest"].get<std::string>())
        << " as much";
    }
    h << ".</p>\n<h2>Cost per model and mode</h2>\n" << CostChart(ok, cur);
  }
  h << "<h2>Details</h2>\n<table>\n<thead><tr><th>model</th><th>mode</th><th>requests</th><th>input "
       "tokens</th><th>output tokens</th><th>units</th><th>cost, "
    << Escape(cur) << "</th><th>vs cheapest</th><th>counted</th></tr></thead>\n<tbody>\n";
  for (const Json& r : ok) {
    std::string cost = r["cost"].get<std::string>();
    if (r.contains("cost_low")) {
      cost += " <span class=\"note\">[" + r["cost_low"].get<std::string>() + ".." +
              r["cost_high"].get<std::string>() + "]</span>";
    }
    h << "<tr><td>" << Escape(r["model"]) << "</td><td>" << Escape(r["mode"]) << "</td><td>"
      << r["requests"] << "</td><td>" << r["input_tokens"] << "</td><td>" << r["output_tokens"]
      << "</td><td>" << r["units"] << "</td><td>" << cost << "</td><td>"
      << Escape(r["ratio_to_cheapest"]) << "</td><td>" << Escape(r["method"]) << "</td></tr>\n";
  }
  for (const Json& r : other) {
    h << "<tr><td>" << Escape(r["model"]) << "</td><td>" << Escape(r["mode"])
      << "</td><td colspan=\"7\" class=\"note\">"
      << (r["status"] == "not_offered" ? "not offered" : Escape(r.value("error", "error")))
      << "</td></tr>\n";
  }
  h << "</tbody></table>\n<h2>Prices used</h2>\n<ul>\n";
  for (const Json& s : report["price_sheets"]) {
    h << "<li>" << Escape(s["currency"]) << ", " << (s["vat_included"].get<bool>() ? "incl." : "excl.")
      << " VAT, effective " << Escape(s["effective_from"]) << ": " << Escape(s["source"])
      << " <span class=\"note\">(" << Escape(s["path"]) << ")</span></li>\n";
  }
  h << "</ul>\n<p class=\"note\">Counted: <em>exact</em> = local tokenizer identical to the reference; "
       "<em>endpoint</em>/<em>cache</em> = the provider's tokenize API; <em>approx</em> and "
       "<em>hybrid</em> carry 95% intervals, drawn as error bars. Units per request are rounded up as "
       "the provider bills them.</p>\n"
    << "<p class=\"meta\">Generated " << Escape(report["generated"].get<std::string>()) << " by tokcost "
    << Escape(report["tokcost_version"].get<std::string>()) << ".</p>\n"
    << "<script>" << kScript << "</script>\n</body></html>\n";
  return h.str();
}

std::string RenderMarkdown(const Json& report, const std::optional<Json>& baseline) {
  std::map<std::string, std::string> before;
  if (baseline) {
    for (const Json& r : (*baseline)["rows"]) {
      if (r["status"] == "ok") before[Label(r)] = r["cost"].get<std::string>();
    }
  }
  const std::string cur = report["currency"];
  std::ostringstream m;
  m << "### tokcost: " << report["requests"].get<int64_t>() << " requests, prices of "
    << report["date"].get<std::string>() << " (" << cur << ")\n\n";
  m << "| model | mode | input | output | cost " << cur << " | vs cheapest |"
    << (baseline ? " change |" : "") << "\n|---|---|--:|--:|--:|--:|" << (baseline ? "--:|" : "") << "\n";
  bool first = true;
  for (const Json& r : report["rows"]) {
    if (r["status"] != "ok") continue;
    std::string cost = r["cost"].get<std::string>();
    if (r.contains("cost_low")) cost += " (" + r["cost_low"].get<std::string>() + "–" + r["cost_high"].get<std::string>() + ")";
    m << "| " << (first ? "**" + r["model"].get<std::string>() + "**" : r["model"].get<std::string>())
      << " | " << r["mode"].get<std::string>() << " | " << r["input_tokens"] << " | " << r["output_tokens"]
      << " | " << cost << " | " << r["ratio_to_cheapest"].get<std::string>() << " |";
    if (baseline) {
      auto it = before.find(Label(r));
      if (it == before.end()) {
        m << " new |";
      } else {
        double a = std::atof(it->second.c_str()), b = Num(r, "cost");
        m << " " << (b >= a ? "+" : "") << Fixed(b - a, 4)
          << (a > 0 ? " (" + std::string(b >= a ? "+" : "") + Fixed(100 * (b - a) / a, 1) + "%)" : "") << " |";
      }
    }
    m << "\n";
    first = false;
  }
  std::set<std::string> methods;
  for (const Json& r : report["rows"]) {
    if (r["status"] == "ok") methods.insert(r["method"].get<std::string>());
  }
  std::string how;
  for (const std::string& s : methods) how += (how.empty() ? "" : ", ") + s;
  m << "\nCheapest option in bold. Tokens counted: " << how << "; output tokens from "
    << report["output_tokens_from"].get<std::string>() << ".\n";
  return m.str();
}

std::string RenderCsv(const Json& report) {
  std::ostringstream c;
  c << "model,mode,status,requests,input_tokens,output_tokens,units,cost,cost_low,cost_high,currency,"
       "vat_included,ratio_to_cheapest,method,effective_from,price_sheet\n";
  auto s = [](const Json& r, const char* k) -> std::string {
    if (!r.contains(k)) return "";
    const Json& v = r[k];
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  for (const Json& r : report["rows"]) {
    const Json sheet = r.contains("price_sheet") ? r["price_sheet"] : Json::object();
    c << CsvField(s(r, "model")) << "," << s(r, "mode") << "," << s(r, "status") << "," << s(r, "requests")
      << "," << s(r, "input_tokens") << "," << s(r, "output_tokens") << "," << s(r, "units") << ","
      << s(r, "cost") << "," << s(r, "cost_low") << "," << s(r, "cost_high") << "," << s(r, "currency")
      << "," << s(r, "vat_included") << "," << s(r, "ratio_to_cheapest") << "," << CsvField(s(r, "method"))
      << "," << s(sheet, "effective_from") << "," << CsvField(s(sheet, "path")) << "\n";
  }
  return c.str();
}

}  // namespace tokcost::cli
