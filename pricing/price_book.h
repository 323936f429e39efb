// Price sheets (data/prices/*.json) and price lookup by model, mode,
// currency and date.
//
//   StatusOr<PriceBook> book = PriceBook::LoadDirectory("data/prices");
//   StatusOr<Price> p = book->Lookup("yandexgpt-lite", Mode::kSync, "RUB",
//                                    "2026-11-28");
//
// Sheets carry an effective_from date; for a date, the newest sheet of the
// currency that is in effect and prices the model and mode wins, so a
// user's sheet (--prices) may hold just the rows that changed. A missing
// price is an error naming what is missing, never 0. Immutable after
// loading; thread-safe.
#ifndef TOKCOST_PRICING_PRICE_BOOK_H_
#define TOKCOST_PRICING_PRICE_BOOK_H_

#include <map>
#include <string>
#include <vector>

#include "pricing/decimal.h"
#include "tools/base/status.h"

namespace tokcost {

enum class Mode { kSync, kAsync, kBatch };
StatusOr<Mode> ParseMode(const std::string& name);
const char* ModeName(Mode mode);

// Where a price came from, shown next to every cost.
struct SheetInfo {
  std::string path;
  std::string currency;
  bool vat_included = false;
  std::string effective_from;  // YYYY-MM-DD
  std::string source;
};

struct Price {
  Mode mode = Mode::kSync;
  std::string sku;
  Decimal price_per_1000_units;
  Decimal input_units_per_token;
  Decimal output_units_per_token;
  Decimal surcharge_per_1000_tokens;  // USD Pro 5.1 rows; usually 0
  int64_t minimum_tokens_per_run = 0;  // batch
  SheetInfo sheet;
};

class PriceBook {
 public:
  // Loads every *.json in a directory (sorted by name).
  static StatusOr<PriceBook> LoadDirectory(const std::string& dir);
  // Loads one sheet; errors name the file and the JSON path.
  static StatusOr<PriceBook> LoadFile(const std::string& path);

  // Adds the other book's sheets (for --prices merged over built-ins).
  void Merge(PriceBook other);

  StatusOr<Price> Lookup(const std::string& model_id, Mode mode,
                         const std::string& currency, const std::string& date) const;

  std::vector<std::string> Currencies() const;

  // Every (model, mode) some sheet of `currency` prices.
  std::vector<std::pair<std::string, Mode>> PricedRows(const std::string& currency) const;

 private:
  struct Sheet {
    SheetInfo info;
    std::map<std::string, Decimal> skus;
    // model id -> mode -> price (sheet info filled at lookup)
    std::map<std::string, std::map<Mode, Price>> rows;
  };
  static StatusOr<Sheet> ParseSheet(const std::string& path, const std::string& text);

  std::vector<Sheet> sheets_;
};

// Whether `date` is a valid YYYY-MM-DD.
bool IsIsoDate(const std::string& date);

}  // namespace tokcost

#endif  // TOKCOST_PRICING_PRICE_BOOK_H_
