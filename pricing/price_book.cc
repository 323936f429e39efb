#include "pricing/price_book.h"

#include <dirent.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "tools/base/file_util.h"
#include "tools/base/json_file.h"

namespace tokcost {
namespace {

using Json = nlohmann::json;

StatusOr<Decimal> DecimalAt(const Json& parent, const char* key, const std::string& where) {
  if (!parent.contains(key) || !parent[key].is_string()) {
    return InvalidArgumentError(where + "." + key +
                                ": expected a decimal string such as \"0.20\"");
  }
  StatusOr<Decimal> d = Decimal::Parse(parent[key].get<std::string>());
  if (!d.ok()) return d.status().WithContext(where + "." + key);
  if (d->is_negative()) return InvalidArgumentError(where + "." + key + ": must not be negative");
  return d;
}

StatusOr<std::string> StringAt(const Json& parent, const char* key, const std::string& where) {
  if (!parent.contains(key) || !parent[key].is_string()) {
    return InvalidArgumentError(where + "." + key + ": expected a string");
  }
  return parent[key].get<std::string>();
}

}  // namespace

StatusOr<Mode> ParseMode(const std::string& name) {
  if (name == "sync") return Mode::kSync;
  if (name == "async") return Mode::kAsync;
  if (name == "batch") return Mode::kBatch;
  return InvalidArgumentError("unknown mode \"" + name + "\" (sync, async or batch)");
}

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kSync: return "sync";
    case Mode::kAsync: return "async";
    case Mode::kBatch: return "batch";
  }
  return "?";
}

bool IsIsoDate(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  int month = std::stoi(d.substr(5, 2)), day = std::stoi(d.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

StatusOr<PriceBook::Sheet> PriceBook::ParseSheet(const std::string& path,
                                                 const std::string& text) {
  return ReadJson(path, text, [&](Json& j) -> StatusOr<Sheet> {
    const std::string root = path + ": $";
    Sheet sheet;
    sheet.info.path = path;
    TOKCOST_ASSIGN_OR_RETURN(sheet.info.currency, StringAt(j, "currency", root));
    TOKCOST_ASSIGN_OR_RETURN(sheet.info.effective_from, StringAt(j, "effective_from", root));
    if (!IsIsoDate(sheet.info.effective_from)) {
      return InvalidArgumentError(root + ".effective_from: expected YYYY-MM-DD, got \"" +
                                  sheet.info.effective_from + "\"");
    }
    TOKCOST_ASSIGN_OR_RETURN(sheet.info.source, StringAt(j, "source", root));
    if (!j.contains("vat_included") || !j["vat_included"].is_boolean()) {
      return InvalidArgumentError(root + ".vat_included: expected true or false");
    }
    sheet.info.vat_included = j["vat_included"].get<bool>();
    if (!j.contains("skus") || !j["skus"].is_object()) {
      return InvalidArgumentError(root + ".skus: expected an object of SKU prices");
    }
    for (auto it = j["skus"].begin(); it != j["skus"].end(); ++it) {
      TOKCOST_ASSIGN_OR_RETURN(
          sheet.skus[it.key()],
          DecimalAt(*it, "price_per_1000_units", root + ".skus." + it.key()));
    }
    auto check_sku = [&](const std::string& sku, const std::string& where) -> Status {
      if (sheet.skus.count(sku)) return OkStatus();
      return InvalidArgumentError(where + ".sku: \"" + sku + "\" has no price in $.skus");
    };
    if (j.contains("models")) {
      if (!j["models"].is_object()) return InvalidArgumentError(root + ".models: expected an object");
      for (auto m = j["models"].begin(); m != j["models"].end(); ++m) {
        if (!m->is_object()) {
          return InvalidArgumentError(root + ".models." + m.key() +
                                      ": expected an object of modes (sync, async)");
        }
        for (auto e = m->begin(); e != m->end(); ++e) {
          const std::string where = root + ".models." + m.key() + "." + e.key();
          StatusOr<Mode> mode = ParseMode(e.key());
          if (!mode.ok() || *mode == Mode::kBatch) {
            return InvalidArgumentError(where + ": expected sync or async (batch prices go in $.batch)");
          }
          Price p;
          p.mode = *mode;
          TOKCOST_ASSIGN_OR_RETURN(p.sku, StringAt(*e, "sku", where));
          TOKCOST_RETURN_IF_ERROR(check_sku(p.sku, where));
          TOKCOST_ASSIGN_OR_RETURN(p.input_units_per_token, DecimalAt(*e, "input_units_per_token", where));
          TOKCOST_ASSIGN_OR_RETURN(p.output_units_per_token, DecimalAt(*e, "output_units_per_token", where));
          if (e->contains("surcharge_per_1000_tokens")) {
            TOKCOST_ASSIGN_OR_RETURN(p.surcharge_per_1000_tokens,
                                     DecimalAt(*e, "surcharge_per_1000_tokens", where));
          }
          sheet.rows[m.key()][p.mode] = p;
        }
      }
    }
    if (j.contains("batch")) {
      const Json& b = j["batch"];
      const std::string where = root + ".batch";
      Price p;
      p.mode = Mode::kBatch;
      TOKCOST_ASSIGN_OR_RETURN(p.sku, StringAt(b, "sku", where));
      TOKCOST_RETURN_IF_ERROR(check_sku(p.sku, where));
      // Unsigned and within int64: 2^64 - 1 would have read back as -1.
      if (!b.contains("minimum_tokens_per_run") || !b["minimum_tokens_per_run"].is_number_unsigned() ||
          b["minimum_tokens_per_run"].get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        return InvalidArgumentError(where + ".minimum_tokens_per_run: expected a whole number");
      }
      p.minimum_tokens_per_run = b["minimum_tokens_per_run"].get<int64_t>();
      if (!b.contains("units_per_token") || !b["units_per_token"].is_object()) {
        return InvalidArgumentError(where + ".units_per_token: expected an object of model: k");
      }
      for (auto it = b["units_per_token"].begin(); it != b["units_per_token"].end(); ++it) {
        Price row = p;
        if (!it->is_string()) {
          return InvalidArgumentError(where + ".units_per_token." + it.key() +
                                      ": expected a decimal string such as \"0.5\"");
        }
        StatusOr<Decimal> k = Decimal::Parse(it->get<std::string>());
        if (!k.ok()) return k.status().WithContext(where + ".units_per_token." + it.key());
        row.input_units_per_token = row.output_units_per_token = *k;
        sheet.rows[it.key()][Mode::kBatch] = row;
      }
    }
    return sheet;
  });
}

StatusOr<PriceBook> PriceBook::LoadFile(const std::string& path) {
  TOKCOST_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  TOKCOST_ASSIGN_OR_RETURN(Sheet sheet, ParseSheet(path, text));
  PriceBook book;
  book.sheets_.push_back(std::move(sheet));
  return book;
}

StatusOr<PriceBook> PriceBook::LoadDirectory(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return NotFoundError(dir + ": cannot open price sheet directory");
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  PriceBook book;
  for (const std::string& name : names) {
    TOKCOST_ASSIGN_OR_RETURN(PriceBook one, LoadFile(JoinPath(dir, name)));
    book.Merge(std::move(one));
  }
  return book;
}

void PriceBook::Merge(PriceBook other) {
  for (Sheet& s : other.sheets_) {
    sheets_.push_back(std::move(s));
  }
}

std::vector<std::string> PriceBook::Currencies() const {
  std::set<std::string> c;
  for (const Sheet& s : sheets_) c.insert(s.info.currency);
  return {c.begin(), c.end()};
}

std::vector<std::pair<std::string, Mode>> PriceBook::PricedRows(
    const std::string& currency) const {
  std::set<std::pair<std::string, Mode>> rows;
  for (const Sheet& s : sheets_) {
    if (s.info.currency != currency) continue;
    for (const auto& [model, modes] : s.rows) {
      for (const auto& [mode, price] : modes) rows.insert({model, mode});
    }
  }
  return {rows.begin(), rows.end()};
}

StatusOr<Price> PriceBook::Lookup(const std::string& model_id, Mode mode,
                                  const std::string& currency,
                                  const std::string& date) const {
  // Newest effective date first; among equal dates the later-loaded sheet
  // (a user's --prices file) wins.
  std::vector<size_t> candidates;
  std::string earliest;
  for (size_t i = 0; i < sheets_.size(); ++i) {
    const SheetInfo& info = sheets_[i].info;
    if (info.currency != currency) continue;
    if (earliest.empty() || info.effective_from < earliest) earliest = info.effective_from;
    if (info.effective_from <= date) candidates.push_back(i);
  }
  if (earliest.empty()) {
    std::string have;
    for (const std::string& c : Currencies()) have += (have.empty() ? "" : ", ") + c;
    return FailedPreconditionError("no price sheet in " + currency + " (have: " + have + ")");
  }
  if (candidates.empty()) {
    return FailedPreconditionError("no " + currency + " price sheet in effect on " + date +
                                   " (the earliest takes effect " + earliest + ")");
  }
  std::sort(candidates.begin(), candidates.end(), [&](size_t a, size_t b) {
    const std::string& da = sheets_[a].info.effective_from;
    const std::string& db = sheets_[b].info.effective_from;
    return da != db ? da > db : a > b;
  });
  for (size_t i : candidates) {
    const Sheet& sheet = sheets_[i];
    auto row = sheet.rows.find(model_id);
    if (row == sheet.rows.end()) continue;
    auto price = row->second.find(mode);
    if (price == row->second.end()) continue;
    Price p = price->second;
    p.price_per_1000_units = sheet.skus.at(p.sku);
    p.sheet = sheet.info;
    return p;
  }
  return FailedPreconditionError("no " + currency + " price for " + model_id + " in " +
                                 ModeName(mode) + " mode in the sheets in effect on " + date);
}

}  // namespace tokcost
